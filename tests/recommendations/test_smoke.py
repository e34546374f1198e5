def test_fixture_assignment_starts_open(assignment):
    assert assignment.status == "open"
