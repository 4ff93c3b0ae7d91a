"""The stream batch state machine: retries, bisection, partial responses, expiry, checkpoints."""

from host.event_sources.core.outcome import FAILURE, PARTIAL, SUCCESS, THROTTLED, Outcome
from host.event_sources.core.records import StreamRecord
from host.event_sources.core.stream_policy import DISCARD, DONE, EXPIRE, INVOKE, BatchRun


def records(*numbers, arrival=1000.0):
    return [StreamRecord(str(n), arrival, "k", {"n": n}) for n in numbers]


def drive(run, answer, now=1000.0, limit=50):
    """Run to the end; ``answer(numbers) -> Outcome``. Returns (invoked batches, discarded, expired)."""
    invoked, discarded, expired = [], [], []
    for _ in range(limit):
        step = run.next_step(now)
        if step.kind == DONE:
            return invoked, discarded, expired
        numbers = [r.number for r in step.records]
        if step.kind == EXPIRE:
            expired.append((numbers, step.invoke_count))
            continue
        assert step.kind == INVOKE
        invoked.append(numbers)
        result = run.report(answer(numbers))
        if result is not None and result.kind == DISCARD:
            discarded.append(([r.number for r in result.records], result.invoke_count))
    raise AssertionError("did not end")


def test_success_checkpoints_at_the_last_record():
    run = BatchRun(records(1, 2, 3))
    assert drive(run, lambda n: Outcome(SUCCESS)) == ([[1, 2, 3]], [], [])
    assert run.checkpoint.number == 3


def test_retries_are_counted_and_exhaustion_discards_then_checkpoints():
    run = BatchRun(records(1, 2), max_retries=2)
    invoked, discarded, _ = drive(run, lambda n: Outcome(FAILURE, function_error="Unhandled"))
    assert invoked == [[1, 2]] * 3 and discarded == [([1, 2], 3)]
    assert run.checkpoint.number == 2


def test_throttles_cost_no_attempt_and_back_off():
    run = BatchRun(records(1), max_retries=0)
    answers = iter([Outcome(THROTTLED), Outcome(THROTTLED), Outcome(SUCCESS)])
    invoked, discarded, _ = drive(run, lambda n: next(answers))
    assert invoked == [[1], [1], [1]] and discarded == []


def test_bisection_splits_in_order_without_spending_retries():
    run = BatchRun(records(1, 2, 3, 4), max_retries=0, bisect=True)
    invoked, discarded, _ = drive(run, lambda n: Outcome(FAILURE) if 3 in n else Outcome(SUCCESS))
    assert invoked == [[1, 2, 3, 4], [1, 2], [3, 4], [3], [4]]
    assert discarded == [([3], 1)]
    assert run.checkpoint.number == 4


def test_a_partial_response_retries_from_the_lowest_failure_with_a_fresh_budget():
    run = BatchRun(records(4, 5, 6), max_retries=3)
    answer = lambda n: Outcome(PARTIAL, failed=("6",))  # noqa: E731
    invoked, discarded, _ = drive(run, answer)
    assert invoked == [[4, 5, 6], [6], [6], [6], [6]]
    assert discarded == [([6], 4)]


def test_a_partial_response_naming_the_first_record_counts_as_a_retry():
    run = BatchRun(records(1, 2), max_retries=1)
    invoked, discarded, _ = drive(run, lambda n: Outcome(PARTIAL, failed=("1",)))
    assert invoked == [[1, 2], [1, 2]] and discarded == [([1, 2], 2)]


def test_old_records_expire_before_an_invocation_and_the_rest_go_on():
    run = BatchRun(records(1, arrival=0.0) + records(2, 3, arrival=990.0), max_age=60)
    invoked, _, expired = drive(run, lambda n: Outcome(SUCCESS), now=1000.0)
    assert expired == [([1], 1)] and invoked == [[2, 3]]
    assert run.checkpoint.number == 3


def test_the_checkpoint_never_passes_a_pending_record():
    run = BatchRun(records(1, 2, 3, 4), bisect=True, max_retries=0)
    step = run.next_step(0)
    run.report(Outcome(FAILURE))
    assert run.checkpoint is None  # split, nothing done yet
    assert step.records[0].number == 1
