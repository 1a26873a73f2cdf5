"""A read-only copy of the database can still have its audit chain verified (nothing is noted)."""

from tests.files.conftest import build_desk_file, digest, make_read_only, side_files


def test_verify_audit_reads_a_read_only_file_without_writing(run_entry_point, tmp_path):
    desk_file = build_desk_file(tmp_path / "desk.sqlite3", cases=20)
    make_read_only(desk_file)
    before = digest(desk_file)
    ran = run_entry_point("verify-audit", "--db", str(desk_file))
    assert (ran.code, ran.err) == (0, "")
    assert ran.out.startswith("OK: ") and "audit rows, chain intact" in ran.out
    assert digest(desk_file) == before and side_files(desk_file) == []
