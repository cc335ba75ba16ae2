"""The adaptive staircase: up after two hits in a row, down after each miss, per category."""

from xrayreview.training.staircase import LEVELS, AdaptiveDifficulty, Staircase, TrainingDifficulty


def test_two_hits_up_one_miss_down():
    stair = Staircase(level=1)
    answers = (True, True, True, False, False, True, True)
    assert [stair.record(hit) for hit in answers] == [1, 2, 2, 1, 0, 0, 1]
    assert stair.history == [1, 1, 2, 2, 1, 0, 0]


def test_levels_are_bounded():
    stair = Staircase(level=0)
    assert stair.record(False) == 0
    top = Staircase(level=len(LEVELS) - 1, hits_to_rise=1)
    assert top.record(True) == len(LEVELS) - 1


def test_categories_move_independently_and_survive_json():
    adaptive = AdaptiveDifficulty(start_level=2)
    for _ in range(2):
        adaptive.record("firearm", True)
    adaptive.record("ied_component", False)
    assert adaptive.level("firearm") == 3 and adaptive.level("ied_component") == 1
    assert adaptive.difficulty("firearm") == LEVELS[3]
    again = AdaptiveDifficulty.from_dict(adaptive.to_dict())
    assert again.level("firearm") == 3 and again.level("ied_component") == 1


def test_harder_levels_turn_every_knob_up():
    knobs = ("clutter", "rotation", "size", "density")
    for easier, harder in zip(LEVELS, LEVELS[1:], strict=False):
        assert all(getattr(harder, k) >= getattr(easier, k) for k in knobs)
    clamped = TrainingDifficulty.from_dict({"clutter": 7, "size": -1})
    assert clamped == TrainingDifficulty(clutter=1.0, size=0.0)
