from django.http import Http404


def detail(request, pk):
    raise Http404
