"""Issue 10: an attachment over the team's limit is refused in megabytes, as the limit is set
in Administration, not in bytes (both engines)."""

import pytest

from desktop_helpdesk.services.errors import ValidationError
from desktop_helpdesk.storage.records import AttachmentRecord
from tests.services.test_workflow import log

pytestmark = pytest.mark.usefixtures("engine")
MEBIBYTE = 1024 * 1024


def test_a_file_over_the_limit_is_refused_in_megabytes(services, team):
    case = log(services, team.alice)
    services.settings.update(team.supervisor, attachment_max_bytes=5 * MEBIBYTE)
    with pytest.raises(ValidationError) as error:
        services.cases.add_attachment(team.alice, case.id, filename="capture.mp4",
                                      data=b"x" * (5 * MEBIBYTE + MEBIBYTE // 2))
    assert error.value.field == "file"
    assert "5.5 MB is over the 5 MB attachment limit" in str(error.value)
    assert "bytes" not in str(error.value)
    assert AttachmentRecord.select().count() == 0
