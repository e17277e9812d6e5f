"""A generated corpus for scale tests and benchmarks: many short articles with distinct facts."""

from __future__ import annotations

from pathlib import Path

_SURNAMES = "金玉青白云石松竹梅兰清明长安平和永宁东西南北"
_PLACES = "山河湖桥园塔寺阁楼台岭峰溪泉林湾洲港城村镇坊街巷门关堡庄岛渡"


def encyclopedia(folder: Path, n: int = 1000) -> list[tuple[str, str, str]]:
    """``n`` short articles (a few hundred characters each) with distinct facts.

    Returns (file name, question, expected answer) probes, one per article.
    """
    folder.mkdir(parents=True, exist_ok=True)
    probes = []
    for i in range(n):
        name = f"{_SURNAMES[i % len(_SURNAMES)]}{_PLACES[(i // len(_SURNAMES)) % len(_PLACES)]}{i}号"
        year, area, visitors = 1500 + (i * 7) % 500, 10 + (i * 13) % 900, 1 + (i * 31) % 97
        text = (f"# {name}\n\n{name}是一处位于示例省第{i % 17 + 1}区的历史遗迹，始建于{year}年。"
                f"{name}占地{area}公顷，园内保存古树{(i * 3) % 40 + 5}株。\n\n"
                f"近年来，{name}年均接待游客{visitors}万人次，当地为其修缮投入资金{(i * 11) % 300 + 20}万元。"
                f"{name}的主要特色是{['石刻', '壁画', '古建筑', '园林', '碑林'][i % 5]}。\n")
        fname = f"article_{i:04d}.md"
        (folder / fname).write_text(text, encoding="utf-8")
        probes.append((fname, f"{name}始建于哪一年？", f"{year}年"))
    return probes
