"""How many stems a runtime keeps: the baseline, raised by recent bursts of cold starts."""

from host.environments.stems import BURST_MEMORY, MAX_STEMS, burst_target

NOW = 10_000.0


def test_without_takes_the_target_is_the_baseline():
    assert burst_target(2, [], NOW) == 2


def test_a_burst_within_five_seconds_raises_the_target():
    takes = [NOW - 120 + i * 0.5 for i in range(6)]
    assert burst_target(2, takes, NOW) == 6


def test_takes_more_than_five_seconds_apart_are_not_a_burst():
    takes = [NOW - 100 + i * 6 for i in range(6)]
    assert burst_target(2, takes, NOW) == 2


def test_takes_exactly_five_seconds_apart_count_as_one_burst():
    assert burst_target(1, [NOW - 10, NOW - 5], NOW) == 2


def test_the_largest_burst_remembered_sets_the_target():
    small = [NOW - 300 + i for i in range(3)]
    large = [NOW - 200 + i * 0.1 for i in range(8)]
    assert burst_target(1, small + large, NOW) == 8


def test_a_burst_smaller_than_the_baseline_keeps_the_baseline():
    assert burst_target(4, [NOW - 1, NOW], NOW) == 4


def test_a_burst_older_than_ten_minutes_is_forgotten():
    old = [NOW - BURST_MEMORY - 1 + i * 0.01 for i in range(10)]
    assert burst_target(2, old, NOW) == 2


def test_a_burst_just_inside_ten_minutes_is_remembered():
    takes = [NOW - BURST_MEMORY + i * 0.01 for i in range(10)]
    assert burst_target(2, takes, NOW) == 10


def test_the_target_is_capped():
    takes = [NOW - 1 + i * 0.01 for i in range(MAX_STEMS + 10)]
    assert burst_target(2, takes, NOW) == MAX_STEMS == 100


def test_a_baseline_of_zero_turns_stems_off_even_after_a_burst():
    takes = [NOW - 1 + i * 0.1 for i in range(5)]
    assert burst_target(0, takes, NOW) == 0


def test_an_images_spare_is_kept_while_the_image_is_invoked_and_dropped_after():
    from host.environments.stems import image_target

    assert image_target(4, [NOW - 120], NOW) == 1  # one spare, not the runtimes' four
    assert image_target(4, [NOW - 60 + i * 0.1 for i in range(10)], NOW) == 10  # a burst is remembered
    assert image_target(4, [NOW - BURST_MEMORY - 60], NOW) == 0  # nobody invokes it any more
    assert image_target(4, [], NOW) == 0
    assert image_target(0, [NOW], NOW) == 0  # stems turned off
