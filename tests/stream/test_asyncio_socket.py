"""The socket's rules again, with the streams on `ivr streams serve`'s asyncio loop instead of flask-sock."""

import pytest

from tests.stream.test_socket import (  # noqa: F401 - collected here, against this module's sockets
    test_a_dropped_stream_puts_the_call_on_record_from_the_next_question,
    test_a_peer_that_breaks_the_protocol_or_is_not_our_call_is_closed,
    test_a_second_stream_for_the_same_call_takes_over_and_the_first_stops_quietly,
    test_a_started_stream_makes_the_call_live_and_a_stop_ends_it_quietly,
    test_a_stream_for_an_ended_call_is_closed,
    test_an_upgrade_without_a_good_signature_is_refused_with_403_before_upgrading,
    test_streams_over_the_process_cap_are_refused_with_503,
    test_the_upgrade_signature_covers_the_query,
)


@pytest.fixture
def sockets(asyncio_sockets):
    return asyncio_sockets
