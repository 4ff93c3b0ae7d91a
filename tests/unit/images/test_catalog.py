"""The catalog builds what is needed now in parallel, the rest in the background, and each image once."""

import threading
import time

from host.images.catalog import RuntimeCatalog
from host.images.definitions import load_definitions


class SlowBuilder:
    """Builds take ``seconds`` each; records how many run at once."""

    registry_base = False

    def __init__(self, seconds: float = 0.2, present: tuple[str, ...] = ()) -> None:
        self.seconds = seconds
        self.present = set(present)
        self.built: list[str] = []
        self.running = 0
        self.most_at_once = 0
        self.lock = threading.Lock()

    def exists(self, tag: str) -> bool:
        return tag.split(":")[0].removeprefix("lambda-host/") in self.present

    def ensure(self, definition) -> str:
        with self.lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        time.sleep(self.seconds)
        with self.lock:
            self.running -= 1
            self.built.append(definition.id)
        return f"lambda-host/{definition.id}:test"


def test_a_templates_runtimes_are_built_in_parallel_and_stand_ins_share_an_image():
    builder = SlowBuilder()
    catalog = RuntimeCatalog(load_definitions(), builder)
    builds = catalog.prepare(["python3.11", "python3.10", "nodejs18.x", "provided.al2023", "java8"])
    for build in builds:
        build.result(timeout=10)
    assert sorted(builder.built) == ["nodejs18.x", "provided.al2023", "python3.11"]  # 3.10 runs on 3.11's
    assert builder.most_at_once > 1
    assert catalog.ready("python3.10") and catalog.ready("nodejs18.x")
    catalog.close()


def test_the_rest_is_built_one_at_a_time_in_the_background_and_an_image_asked_for_meanwhile_is_built_once():
    builder = SlowBuilder(present=("provided.al2023",))
    catalog = RuntimeCatalog(load_definitions(), builder)
    catalog.image("python3.11")  # needed now, built now
    background = catalog.build_rest_in_background()
    # provided.al2023 exists already
    assert catalog.building == {"java17", "java21", "nodejs18.x", "nodejs20.x", "python3.13", "ruby3.3"}
    assert catalog.image("python3.13").startswith("lambda-host/python3.13")  # waits for, or makes, that one build
    background.result(timeout=10)
    assert catalog.building == set()
    assert sorted(builder.built) == [
        "java17",
        "java21",
        "nodejs18.x",
        "nodejs20.x",
        "python3.11",
        "python3.13",
        "ruby3.3",
    ]
    assert builder.built.count("python3.13") == 1
    catalog.close()


def test_nothing_is_built_in_the_background_when_every_image_exists():
    builder = SlowBuilder(present=tuple(load_definitions()))
    catalog = RuntimeCatalog(load_definitions(), builder)
    assert catalog.build_rest_in_background() is None
    assert builder.built == [] and catalog.building == set()
