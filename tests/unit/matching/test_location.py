import pytest

from matching.location import outside_us, us_state


@pytest.mark.parametrize(
    ("location", "state", "abroad"),
    [
        ("Austin, TX", "TX", False),
        ("San Francisco, CA | Remote", "CA", False),
        ("Greater Seattle Area", "WA", False),
        ("Remote - United States", None, False),
        ("US / Canada - Remote", None, False),
        ("Remote", None, False),
        (None, None, False),
        ("Berlin, Germany", None, True),
        ("Remote - India", None, True),
        ("Toronto, ON, Canada", None, True),
        ("Washington, DC", "DC", False),
    ],
)
def test_state_and_abroad(location, state, abroad):
    assert us_state(location) == state
    assert outside_us(location) is abroad
