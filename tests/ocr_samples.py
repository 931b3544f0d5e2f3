"""Made-up 行驶证 and 身份证 images for the OCR tests and bench/ocr.py: Pillow draws them with Debian's
Noto Sans CJK, from random plates, VINs with valid check digits, 身份证 numbers with valid check
characters, names, addresses and dates; then a phone photo is imitated (a small rotation, blur,
uneven light, JPEG noise). No real person's document is in the repository: everything is drawn here.

    rng = random.Random(7)
    sample = vehicle_licence(rng)      # sample.image: JPEG bytes, sample.truth: {"plate": ..., ...}
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from io import BytesIO

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from core.validators import PROVINCE_ABBREVIATIONS, id_number_check_char, vin_check_digit

FONT_PATH = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"

PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
PLATE_CHARS = PLATE_LETTERS + "0123456789"
VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
WMIS = ("LFV", "LSV", "LGB", "LVS", "LHG", "LBV", "LSG", "LDC", "LGW", "LVH", "LNB", "LZW")
VEHICLE_TYPES = ("小型轿车", "小型普通客车", "小型越野客车", "中型普通客车", "轻型普通货车", "小型面包车")
USES = ("非营运", "非营运", "非营运", "营运", "预约出租客运", "营转非")
BRANDS = (
    "大众汽车牌",
    "丰田牌",
    "本田牌",
    "别克牌",
    "比亚迪牌",
    "吉利牌",
    "长安牌",
    "哈弗牌",
    "日产牌",
    "宝马牌",
)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉梅海燕晓东文斌宇浩然子轩欣怡思琪"
PLACES = (
    ("广东省", "深圳市", ("南山区", "福田区", "宝安区"), "440305"),
    ("湖南省", "长沙市", ("岳麓区", "芙蓉区", "天心区"), "430104"),
    ("北京市", "北京市", ("东城区", "朝阳区", "海淀区"), "110101"),
    ("浙江省", "杭州市", ("西湖区", "上城区", "滨江区"), "330106"),
    ("四川省", "成都市", ("武侯区", "锦江区", "青羊区"), "510107"),
)
ROADS = ("科技园路", "人民中路", "解放大道", "建设北路", "滨海大道", "中山路", "芙蓉南路", "学院路", "长江路")
ETHNICITIES = ("汉", "汉", "汉", "汉", "回", "满", "壮", "苗", "土家", "蒙古")


@dataclass(frozen=True)
class Sample:
    image: bytes
    truth: dict[str, str]


@cache
def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT_PATH, size)


def plate(rng: random.Random) -> str:
    head = rng.choice(PROVINCE_ABBREVIATIONS) + rng.choice(PLATE_LETTERS.replace("I", "").replace("O", ""))
    if rng.random() < 0.2:  # new energy, small vehicle: D/F + letter-or-digit + 4 digits
        return head + rng.choice("DF") + rng.choice(PLATE_CHARS) + "".join(rng.choices("0123456789", k=4))
    return head + "".join(rng.choices(PLATE_CHARS, k=5))


def vin(rng: random.Random) -> str:
    """A VIN with a valid check digit (ISO 3779): WMI, 5 VDS characters, check, year, plant, serial."""
    body = rng.choice(WMIS) + "".join(rng.choices(VIN_CHARS, k=5))
    tail = (
        rng.choice("ABCDEFGHJKLMNPRSTVWXY123456789")
        + rng.choice(VIN_CHARS)
        + "".join(rng.choices("0123456789", k=6))
    )
    draft = body + "0" + tail
    return body + vin_check_digit(draft) + tail


def engine_no(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return "".join(rng.choices("ABCDEFGHJKLMNPRSTUVWXYZ", k=3)) + "".join(rng.choices("0123456789", k=6))
    return "".join(rng.choices("ABCDEFGHJKLMNPRSTUVWXYZ0123456789", k=rng.choice((8, 9, 10))))


def name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2, 2))))


def address(rng: random.Random) -> tuple[str, str]:
    province, city, districts, region = rng.choice(PLACES)
    text = f"{province}{city}{rng.choice(districts)}{rng.choice(ROADS)}{rng.randint(1, 999)}号"
    if rng.random() < 0.5:
        text += f"{rng.randint(1, 30)}栋{rng.randint(101, 2808)}房"
    return (text.replace("北京市北京市", "北京市"), region)


def a_date(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def brand_model(rng: random.Random) -> str:
    code = "".join(rng.choices("ABCDEFGHJKLMNPRSTVWXYZ", k=2)) + "".join(rng.choices("0123456789", k=4))
    return (
        rng.choice(BRANDS)
        + code
        + "".join(rng.choices("ABCDEFGHJKLMNPRSTVWXYZ0123456789", k=rng.randint(0, 4)))
    )


def id_number(region: str, born: date, male: bool, rng: random.Random) -> str:
    sequence = rng.randint(0, 99) * 10 + rng.choice((1, 3, 5, 7, 9) if male else (0, 2, 4, 6, 8))
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + id_number_check_char(first17)


def photographed(image: Image.Image, rng: random.Random, *, distort: bool, fmt: str = "JPEG") -> bytes:
    """A phone photo of the card: on a table, turned a little, a little out of focus, lit unevenly,
    saved as a noisy JPEG (or ``fmt``)."""
    if distort:
        width, height = image.size
        table = Image.new("RGB", (width + 120, height + 120), (rng.randint(90, 150),) * 3)
        table.paste(image, (60, 60))
        image = table.rotate(rng.uniform(-4, 4), resample=Image.Resampling.BICUBIC, fillcolor=(110, 110, 110))
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.0, 1.1)))
        light = Image.linear_gradient("L").rotate(rng.choice((0, 90, 180, 270))).resize(image.size)
        floor = rng.randint(150, 215)
        light = light.point(lambda v: floor + (255 - floor) * v // 255)
        image = Image.composite(image, Image.new("RGB", image.size, (0, 0, 0)), light)
    out = BytesIO()
    if fmt == "JPEG":
        image.save(out, "JPEG", quality=rng.randint(40, 85) if distort else 92)
    else:
        image.save(out, fmt)
    return out.getvalue()


def _card(size: tuple[int, int], tint: tuple[int, int, int], rng: random.Random) -> Image.Image:
    card = Image.new("RGB", size, tint)
    draw = ImageDraw.Draw(card)
    for _ in range(60):  # the printed guilloche, faintly
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        r = rng.randint(20, 90)
        shade = tuple(max(0, c - rng.randint(6, 14)) for c in tint)
        draw.ellipse((x - r, y - r, x + r, y + r), outline=shade)
    return card


def vehicle_licence(
    rng: random.Random, *, distort: bool = True, fmt: str = "JPEG", overrides: dict[str, str] | None = None
) -> Sample:
    """``overrides``: fields printed as given (e.g. a VIN whose check digit is wrong)."""
    registered = a_date(rng, date(2008, 1, 1), date(2025, 6, 30))
    issued = registered if rng.random() < 0.7 else a_date(rng, registered, date(2025, 12, 31))
    owner_address, _ = address(rng)
    truth = {
        "plate": plate(rng),
        "vehicle_type": rng.choice(VEHICLE_TYPES),
        "owner": name(rng),
        "address": owner_address,
        "use_character": rng.choice(USES),
        "brand_model": brand_model(rng),
        "vin": vin(rng),
        "engine_no": engine_no(rng),
        "registered_on": registered.isoformat(),
        "issued_on": issued.isoformat(),
    } | (overrides or {})
    card = _card((1040, 700), (rng.randint(225, 240), rng.randint(238, 250), rng.randint(228, 242)), rng)
    draw = ImageDraw.Draw(card)
    label, value = font(27), font(31)
    ink, grey = (20, 20, 20), (70, 70, 90)
    draw.text((520, 30), "中华人民共和国机动车行驶证", font=font(40), fill=ink, anchor="mt")
    rows = [
        [("号牌号码", truth["plate"], 40), ("车辆类型", truth["vehicle_type"], 560)],
        [("所有人", truth["owner"], 40)],
        [("住址", truth["address"], 40)],
        [("使用性质", truth["use_character"], 40), ("品牌型号", truth["brand_model"], 450)],
        [("车辆识别代号", truth["vin"], 40)],
        [("发动机号码", truth["engine_no"], 40)],
        [("注册日期", truth["registered_on"], 40), ("发证日期", truth["issued_on"], 560)],
    ]
    y = 120
    for row in rows:
        for text, shown, x in row:
            draw.text((x, y + 3), text, font=label, fill=grey)
            draw.text((x + label.getlength(text) + 22, y), shown, font=value, fill=ink)
        y += 80
    return Sample(photographed(card, rng, distort=distort, fmt=fmt), truth)


def id_card(rng: random.Random, *, distort: bool = True, fmt: str = "JPEG") -> Sample:
    male = rng.random() < 0.5
    born = a_date(rng, date(1950, 1, 1), date(2005, 12, 31))
    home, region = address(rng)
    truth = {
        "name": name(rng),
        "sex": "男" if male else "女",
        "ethnicity": rng.choice(ETHNICITIES),
        "birth_date": born.isoformat(),
        "address": home,
        "id_number": id_number(region, born, male, rng),
    }
    card = _card((1000, 630), (rng.randint(236, 248), rng.randint(236, 246), rng.randint(226, 238)), rng)
    draw = ImageDraw.Draw(card)
    label, value = font(26), font(32)
    ink, blue = (20, 20, 20), (40, 90, 150)
    draw.text((60, 60), "姓名", font=label, fill=blue)
    draw.text((160, 55), truth["name"], font=value, fill=ink)
    draw.text((60, 140), "性别", font=label, fill=blue)
    draw.text((160, 135), truth["sex"], font=value, fill=ink)
    draw.text((300, 140), "民族", font=label, fill=blue)
    draw.text((400, 135), truth["ethnicity"], font=value, fill=ink)
    draw.text((60, 220), "出生", font=label, fill=blue)
    draw.text((160, 215), f"{born.year}年{born.month}月{born.day}日", font=value, fill=ink)
    draw.text((60, 300), "住址", font=label, fill=blue)
    first, rest = home[:14], home[14:]
    draw.text((160, 295), first, font=value, fill=ink)
    if rest:
        draw.text((160, 345), rest, font=value, fill=ink)
    draw.rectangle((700, 70, 940, 370), fill=(205, 212, 222))  # where the photo goes: left blank
    draw.text((60, 500), "公民身份号码", font=label, fill=blue)
    draw.text((300, 493), truth["id_number"], font=font(36), fill=ink)
    return Sample(photographed(card, rng, distort=distort, fmt=fmt), truth)
