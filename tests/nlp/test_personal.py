from xinfang.nlp.personal import extract_personal, mask, valid_id_number

VALID_ID = "11010519491231002X"  # the GB 11643 example number


def test_id_checksum():
    assert valid_id_number(VALID_ID)
    assert valid_id_number(VALID_ID.lower())
    assert not valid_id_number("110105194912310021")
    assert not valid_id_number("11010519491231002")


def test_extract():
    data = extract_personal(f"我叫扎西多吉，电话13812341234，身份证{VALID_ID}，老板欠我3.5万元，我们12名工人")
    assert data.phones == ["13812341234"]
    assert data.id_numbers == [VALID_ID]
    assert data.names == ["扎西多吉"]
    assert data.amounts_yuan == [35000.0]
    assert data.head_counts == [12]


def test_invalid_id_is_not_extracted_but_still_masked():
    text = "身份证513301199001011231"
    assert extract_personal(text).id_numbers == [] or valid_id_number("513301199001011231")
    assert mask(text) == "身份证5133**********1231"


def test_mask():
    assert mask("电话13812341234") == "电话138****1234"
    assert mask(f"身份证{VALID_ID}") == "身份证1101**********002X"
    assert "13812341234" not in mask("联系13812341234或0836-2812345")


def test_full_width_digits_are_found_and_masked():
    assert extract_personal("电话：１３８１２３４１２３４").phones == ["13812341234"]
    assert mask("电话：１３８１２３４１２３４，谢谢") == "电话：138****1234，谢谢"  # the text's own punctuation kept
