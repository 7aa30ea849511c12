"""The originality engine on planted passages: copied, lightly edited, reordered, in Chinese and in English,
partly quoted, with a reference list; each gives the percentage worked out from the planted text itself."""

from __future__ import annotations

import random

import pytest

from integrity import originality, samples
from integrity.originality import compare, fingerprint_hashes, fingerprints, normalise, prepare


def _counted(text: str) -> int:
    return prepare(text).counted_chars


def _share(part: str, whole: str) -> float:
    return 100.0 * _counted(part) / _counted(whole)


@pytest.mark.parametrize("language", ["zh", "en", "mixed"])
def test_copied_passage_gives_its_share_of_the_text(language: str) -> None:
    source = samples.thesis(1, language=language, chars=3000)
    own = samples.thesis(2, language=language, chars=3000)
    copied = source[500:1400]
    text = own[:1500] + "\n\n" + copied + "\n\n" + own[1500:]
    result = compare(prepare(text), {7: prepare(source)})
    expected = _share(copied, text)
    assert result.similarity == pytest.approx(expected, abs=1.0)
    assert [s.key for s in result.sources] == [7]
    assert result.sources[0].share == result.similarity


def test_unrelated_texts_share_nothing() -> None:
    result = compare(prepare(samples.thesis(3, chars=4000)), {1: prepare(samples.thesis(4, chars=4000))})
    assert result.similarity == 0.0
    assert result.sources == []


def test_whole_copy_is_a_hundred_percent_and_width_and_case_do_not_matter() -> None:
    source = samples.thesis(5, language="mixed", chars=2000)
    # Full-width Latin letters and upper case in the copy: normalised away.
    shouted = source.upper().replace("A", "\uff21").replace("\uff0c", ",")
    assert compare(prepare(shouted), {1: prepare(source)}).similarity == 100.0
    assert normalise("\uff21\uff22\uff23\uff11\uff12\uff13") == "abc123"


def _edit_words(text: str, every: int, rng: random.Random) -> tuple[str, int]:
    words = text.split(" ")
    changed = 0
    for k in range(every // 2, len(words), every):
        words[k] = "zzz" + str(rng.randint(100, 999))
        changed += 1
    return " ".join(words), changed


def test_lightly_edited_english_passage_is_still_found_mostly() -> None:
    source = samples.thesis(6, language="en", chars=4000)
    own = samples.thesis(7, language="en", chars=4000)
    copied = source[:2000]
    edited, changed = _edit_words(copied, 12, random.Random(1))
    assert changed >= 10
    text = own + "\n\n" + edited
    result = compare(prepare(text), {1: prepare(source)})
    planted = _share(edited, text)
    # One word in twelve changed: the words between the changes still match, the changed ones do not.
    assert planted * 0.75 <= result.similarity <= planted
    # The edits do not split the passage into dozens: neighbouring runs merge.
    assert len(result.sources[0].passages) <= 3


def test_lightly_edited_chinese_passage_is_still_found_mostly() -> None:
    source = samples.thesis(8, language="zh", chars=3000)
    own = samples.thesis(9, language="zh", chars=3000)
    copied = list(source[:1500])
    for k in range(20, len(copied), 40):  # one character in forty replaced
        copied[k] = "龘"
    edited = "".join(copied)
    text = own + "\n\n" + edited
    result = compare(prepare(text), {1: prepare(source)})
    planted = _share(edited, text)
    assert planted * 0.7 <= result.similarity <= planted


@pytest.mark.parametrize("language", ["zh", "en"])
def test_reordered_sentences_are_each_found(language: str) -> None:
    source = samples.thesis(10, language=language, chars=3000)
    own = samples.thesis(11, language=language, chars=3000)
    splitter = "。" if language == "zh" else ". "
    sentences = [s for s in source[:1800].split(splitter) if s.strip()][:-1]
    random.Random(3).shuffle(sentences)
    reordered = splitter.join(sentences) + splitter
    text = own + "\n\n" + reordered
    result = compare(prepare(text), {1: prepare(source)})
    planted = _share(reordered, text)
    assert result.similarity == pytest.approx(planted, abs=planted * 0.1)


def test_quoted_part_is_left_out_and_reported() -> None:
    source = samples.thesis(12, language="mixed", chars=3000)
    own = samples.thesis(13, language="mixed", chars=3000)
    quoted, unquoted = source[:600], source[600:1400]
    text = own + "\n\n“" + quoted + "”\n\n" + unquoted
    prepared = prepare(text)
    result = compare(prepared, {1: prepare(source)})
    assert result.quoted_chars == _counted(quoted)
    assert result.counted_chars + result.quoted_chars == sum(len(t.text) for t in prepared.tokens)
    expected = 100.0 * _counted(unquoted) / result.counted_chars
    assert result.similarity == pytest.approx(expected, abs=1.0)


def test_straight_and_corner_quotes_are_left_out_too() -> None:
    prepared = prepare('He wrote "deep learning works well here" and 「医学影像技术研究」 then more words follow.')
    quoted = [t.text for t, out in zip(prepared.tokens, prepared.excluded, strict=True) if out]
    assert quoted == ["deep", "learning", "works", "well", "here", *"医学影像技术研究"]


def test_reference_list_is_left_out_and_reported() -> None:
    source = samples.thesis(14, language="en", chars=3000)
    own = samples.thesis(15, language="en", chars=3000)
    references = source[:800]
    text = own + "\n\nReferences\n\n" + references
    result = compare(prepare(text), {1: prepare(source)})
    assert result.similarity == 0.0
    assert result.reference_chars == _counted("References\n\n" + references)
    chinese = prepare(own + "\n\n参考文献\n" + references)
    assert chinese.reference_chars > 0


def test_reference_heading_in_the_first_part_is_a_table_of_contents_not_the_list() -> None:
    text = "Contents\nReferences\n\n" + samples.thesis(16, language="en", chars=3000)
    assert prepare(text).reference_chars == 0


def test_a_shared_passage_of_a_window_of_shingles_always_shares_a_fingerprint() -> None:
    rng = random.Random(5)
    for trial in range(30):
        passage = samples.thesis(100 + trial, language="zh", chars=200)[
            : originality.WINDOW + originality.SHINGLE_UNITS
        ]
        left = samples.thesis(200 + trial, language="zh", chars=rng.randint(100, 900))
        right = samples.thesis(300 + trial, language="zh", chars=rng.randint(100, 900))
        assert fingerprint_hashes(prepare(left + passage)) & fingerprint_hashes(prepare(passage + right))


def test_fingerprints_are_a_fraction_of_the_shingles_and_stable() -> None:
    prepared = prepare(samples.thesis(17, language="mixed", chars=20000))
    prints = fingerprints(prepared)
    shingles = [h for h in prepared.shingles if h is not None]
    assert len(prints) < len(shingles) * 0.35
    assert all(0 <= h < 2**62 for h, _ in prints)
    assert prints == fingerprints(prepare(samples.thesis(17, language="mixed", chars=20000)))


def test_share_per_source_and_overall_union() -> None:
    first = samples.thesis(18, language="zh", chars=2000)
    second = samples.thesis(19, language="zh", chars=2000)
    own = samples.thesis(20, language="zh", chars=2000)
    text = own + "\n\n" + first[:700] + "\n\n" + second[:300]
    result = compare(prepare(text), {1: prepare(first), 2: prepare(second)})
    assert [s.key for s in result.sources] == [1, 2]
    assert result.similarity == pytest.approx(result.sources[0].share + result.sources[1].share, abs=0.05)
    assert result.sources[0].share == pytest.approx(_share(first[:700], text), abs=1.0)
