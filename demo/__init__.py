"""The demo world of the source document, one seeder per app.

`demo.world.seed_demo()` (the `seed_demo` command, `make demo`) builds it in order:
the people (`demo.core`), the e-Government Branch's products and deliverables
(`demo.workflows`), its meetings (`demo.meetings`), the advisory requests
(`demo.advisory`), the CEPA members' contributions (`demo.contributions`), the links of
the knowledge value chain (`demo.knowledge`) and the reminders due soon
(`demo.notifications`). Every seeder goes through the apps' services and is idempotent.

This package sits above every app: it imports them, and no app imports it.
"""
