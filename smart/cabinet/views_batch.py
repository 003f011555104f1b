"""Upload a closed network's backlog from the browser: many report files, or zips of them, for one
installation (the same path as `smart upload-batch`), with a result per file."""
import tempfile
from pathlib import Path

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from smart.ingest import batch

from . import scope
from .audit import record

MAX_FILES = 2000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True, "accept": ".zip,.xml,.sqlite,.status"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        files = [single(d, initial) for d in data] if isinstance(data, (list, tuple)) else [single(data, initial)]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("At most %(n)d files at once.") % {"n": MAX_FILES})
        return files


class BatchForm(forms.Form):
    files = MultipleFileField(label=_("Report files or zips of them"))
    process = forms.BooleanField(label=_("Process now and show each report's outcome"), required=False, initial=True)


@login_required
def batch_upload(request, pk: int):
    inst = scope.get_or_deny(scope.installations(request.user).select_related("client"), pk=pk)
    scope.require(scope.can_manage_installations(request.user))
    result = None
    form = BatchForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with tempfile.TemporaryDirectory(prefix="smart-batch-") as tmp:
            paths = []
            for i, upload in enumerate(form.cleaned_data["files"]):
                path = Path(tmp) / f"{i:05d}" / Path(upload.name).name  # the browser's name, never a path
                path.parent.mkdir()
                with path.open("wb") as fh:
                    for chunk in upload.chunks():
                        fh.write(chunk)
                paths.append(path)
            result = batch.upload(inst.dealer, inst.name, list(batch.sources(paths)), source="cabinet batch")
        if form.cleaned_data["process"]:
            from smart.pipeline.worker import drain

            drain()
            batch.fill_statuses(result)
        record(request, "batch_upload", obj=inst, changes={"files": len(result.files), **result.counts()})
    return render(request, "cabinet/batch_upload.html", {"inst": inst, "form": form, "result": result})
