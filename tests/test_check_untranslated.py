"""`mmviz check` refuses a zh text that is English (a copied title or narration) and lets a
bare kernel name or call through: a zh title may be just "GFP_KERNEL" or "kmap_atomic()"."""
import pytest

from scenarios.teaching import untranslated


@pytest.mark.parametrize("text", ["GFP_KERNEL", "mm_struct", "PAGE_OFFSET", "kmap_atomic()", "__get_free_page()",
                                  "vm_area_struct", "/proc/buddyinfo", "kmalloc(32, GFP_KERNEL)", "Buddy",
                                  "SLUB", "x", "kunmap()", "伙伴 allocator", "SLUB allocator"])
def test_names_calls_and_one_word_pass(text):
    assert untranslated("title", "title", "zh", text) == ""


@pytest.mark.parametrize("text", ["The buddy allocator", "Take 8 bytes", "Ｔｈｅ ｂｕｄｄｙ ａｌｌｏｃａｔｏｒ",
                                  "Which order did it merge to?"])
def test_english_words_without_a_chinese_character_are_refused(text):
    assert untranslated("title", "title", "zh", text).startswith("zh title has no Chinese character")
    assert untranslated("title", "title", "en", text) == ""


@pytest.mark.parametrize("text", ["バディアロケータ", "ページを割り当てる", "伙伴分配器はページを割り当てる"])
def test_japanese_is_refused(text):
    assert untranslated("title", "title", "zh", text).startswith("zh title has Japanese kana")
    assert untranslated("title", "title", "en", text) == ""


@pytest.mark.parametrize("text", ["冯・诺依曼结构", "伙伴分配器", "页表项（PTE）", "内存ー览"])
def test_chinese_with_a_middle_dot_or_long_mark_passes(text):
    assert untranslated("title", "title", "zh", text) == ""
