"""Generated texts for the demo's reference corpus, the bench and the tests: short "theses" in Chinese,
English or both, deterministic for a seed.

The words are drawn at random from large enough vocabularies that two generated texts share no passage
by chance (as two honest theses share only short common phrases), so a planted copy is the only match.
"""

from __future__ import annotations

import random

_CHARS = "".join(
    (
        "医学影像技术研究方法数据模型系统分析设计实验结果图像重建算法网络深度学习特征提取",
        "分割检测诊断临床应用评价指标精度速度优化参数训练测试样本病例患者器官组织病变肿瘤",
        "血管心脏肺部脑部骨骼扫描设备探测器剂量噪声对比度分辨率信号处理频率空间时间序列统",
        "计概率分布函数矩阵向量变换滤波增强配准融合三维二维重采样标注质量控制流程规范标准",
        "安全隐私伦理合作医院企业高校研究所培养实践创新创业课程导师学生论文项目成果理论基",
        "础框架结构层次模块接口平台软件硬件计算资源存储传输压缩编码解码效率稳定可靠误差校",
        "正误诊漏诊灵敏特异阳性阴性曲线面积比较对照组显著差异相关回归聚类分类识别定位跟踪",
        "运动呼吸心电门控造影增强剂",
    )
)
_WORDS = (  # noqa: SIM905 (one string reads better than 250 quoted words)
    "image imaging reconstruction network deep learning feature extraction segmentation detection "
    "diagnosis clinical application evaluation metric accuracy speed optimisation parameter training "
    "testing sample case patient organ tissue lesion tumour vessel cardiac lung brain bone scan device "
    "detector dose noise contrast resolution signal processing frequency spatial temporal series "
    "statistics probability distribution function matrix vector transform filter enhancement registration "
    "fusion volume surface annotation quality control workflow standard safety privacy ethics hospital "
    "enterprise university institute practice innovation course tutor student thesis project result "
    "theory framework structure layer module interface platform software hardware compute resource "
    "storage transfer compression coding efficiency stable reliable error correction sensitivity "
    "specificity positive negative curve area comparison group significant difference correlation "
    "regression clustering classification recognition localisation tracking motion respiration gating "
    "agent phantom protocol calibration artefact kernel convolution attention transformer encoder decoder "
    "residual loss gradient batch epoch dataset cohort baseline ablation benchmark robust domain shift "
    "adaptation uncertainty estimation prior posterior sparse dense sampling interpolation iterative "
    "analytic projection sinogram ultrasound magnetic resonance tomography radiograph mammography "
    "endoscopy pathology slide stain biopsy screening triage workload throughput latency memory pipeline "
    "deployment validation external internal prospective retrospective multicentre reader radiologist "
    "physicist engineer vendor regulation approval trial outcome survival "
).split()


def _chinese_sentence(rng: random.Random) -> str:
    words = ["".join(rng.choice(_CHARS) for _ in range(2)) for _ in range(rng.randint(6, 12))]
    return "".join(words) + rng.choice("\uff0c\u3002\uff1b\u3002")


def _english_sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(10, 18))]
    return " ".join(words).capitalize() + ". "


def paragraph(rng: random.Random, language: str, sentences: int = 5) -> str:
    """One paragraph: ``language`` "zh", "en" or "mixed" (alternating sentences)."""
    parts = []
    for k in range(sentences):
        chinese = language == "zh" or (language == "mixed" and k % 2 == 0)
        parts.append(_chinese_sentence(rng) if chinese else _english_sentence(rng))
    text = "".join(parts).strip()
    return text if not text.endswith("\uff0c") else text[:-1] + "\u3002"


def thesis(seed: int, *, language: str = "zh", chars: int = 1500) -> str:
    """A generated text of about ``chars`` characters, in paragraphs."""
    rng = random.Random(seed)  # noqa: S311 (generated demo text, not secrets)
    paragraphs: list[str] = []
    while sum(len(p) for p in paragraphs) < chars:
        paragraphs.append(paragraph(rng, language))
    return "\n\n".join(paragraphs)
