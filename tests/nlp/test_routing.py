"""Which department a petition is suggested to: the topic's lead department."""
import pytest

from xinfang.nlp import classify


@pytest.mark.parametrize("text, department", [
    ("县医院的医生态度太差了，看病排队三个小时", "wjw"),     # 卫健委, not 市场监管 (food and drugs)
    ("电站移民的安置补偿款一直没有发下来", "ymj"),           # 水电移民工作局, not 水利局
    ("村里的低保评定不公平，困难户评不上", "mzj"),
])
def test_a_petition_goes_to_its_topics_lead_department(text, department):
    assert classify(text).department == department
