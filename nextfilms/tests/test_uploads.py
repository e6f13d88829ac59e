"""Uploads posted to any page but the import stay in memory, bounded, never on disk."""

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile


def test_a_small_upload_is_kept_in_memory(rf):
    request = rf.post("/accounts/login/", {"file": SimpleUploadedFile("a.csv", b"1,4\n")})
    assert isinstance(request.FILES["file"], InMemoryUploadedFile)


def test_an_upload_too_large_for_memory_is_dropped_not_written_to_a_temporary_file(rf):
    size = settings.FILE_UPLOAD_MAX_MEMORY_SIZE + 1
    files = {f"file{i}": SimpleUploadedFile(f"{i}.bin", b"x" * size) for i in range(3)}
    request = rf.post("/accounts/login/", files)

    assert dict(request.FILES) == {}
