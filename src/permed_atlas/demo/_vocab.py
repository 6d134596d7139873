# ruff: noqa: E501, SIM905
"""Vocabulary of the synthetic demo corpus: countries, institutions, names, topics.

Institution and journal names are real; their OpenAlex ids, RORs and ISSNs are
derived from the names by :mod:`permed_atlas.demo.corpus` and are NOT the
real ones. MeSH descriptor UIs and OpenAlex concept, subfield, field and domain
ids are the real ones where known, so that tagging rules keyed on them behave
as on real records; topic ids are made up. Nothing here is a fact the platform
relies on: it only makes generated records look like real ones.
"""

from __future__ import annotations

from typing import Any

# Lead-country weights in 2000 and in 2025 (linearly interpolated in between):
# China's share of biomedical output rises, the US and Japan's fall.
COUNTRY_WEIGHTS: dict[str, tuple[float, float]] = {
    "US": (30.0, 20.0),
    "CN": (5.0, 26.0),
    "DE": (8.0, 6.0),
    "GB": (8.0, 6.0),
    "FR": (6.0, 4.0),
    "IT": (5.0, 4.5),
    "ES": (3.5, 3.5),
    "NL": (3.0, 2.8),
    "SE": (2.0, 1.8),
    "JP": (8.0, 4.0),
    "CA": (3.5, 3.0),
    "AU": (2.5, 3.0),
    "CH": (2.0, 1.8),
    "KR": (2.0, 3.0),
    "IN": (1.5, 3.5),
    "BE": (1.2, 1.2),
    "DK": (1.0, 1.2),
    "AT": (1.0, 1.0),
    "FI": (0.8, 0.7),
    "PL": (0.6, 1.2),
    "PT": (0.5, 0.9),
    "IE": (0.4, 0.6),
    "GR": (0.4, 0.5),
    "CZ": (0.3, 0.5),
    "HU": (0.3, 0.4),
    "NO": (0.7, 0.8),
    "BR": (1.2, 2.0),
    "HK": (0.6, 0.8),
    "SG": (0.4, 0.9),
    "IL": (0.6, 0.6),
}

EU27 = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
)
CHINA_SIDE = frozenset({"CN", "HK", "MO"})

# How affiliation strings name each country; a few use the variants real data has.
COUNTRY_NAMES: dict[str, tuple[str, ...]] = {
    "US": ("USA", "United States", "United States of America"),
    "CN": ("China", "P.R. China", "PR China"),
    "DE": ("Germany",),
    "GB": ("UK", "United Kingdom"),
    "FR": ("France",),
    "IT": ("Italy",),
    "ES": ("Spain",),
    "NL": ("The Netherlands", "Netherlands"),
    "SE": ("Sweden",),
    "JP": ("Japan",),
    "CA": ("Canada",),
    "AU": ("Australia",),
    "CH": ("Switzerland",),
    "KR": ("Korea", "South Korea"),
    "IN": ("India",),
    "BE": ("Belgium",),
    "DK": ("Denmark",),
    "AT": ("Austria",),
    "FI": ("Finland",),
    "PL": ("Poland",),
    "PT": ("Portugal",),
    "IE": ("Ireland",),
    "GR": ("Greece",),
    "CZ": ("Czech Republic", "Czechia"),
    "HU": ("Hungary",),
    "NO": ("Norway",),
    "BR": ("Brazil",),
    "HK": ("Hong Kong", "Hong Kong SAR, China"),
    "SG": ("Singapore",),
    "IL": ("Israel",),
}

# (name, OpenAlex institution type, city, relative size)
INSTITUTIONS: dict[str, tuple[tuple[str, str, str, float], ...]] = {
    "US": (
        ("Harvard University", "education", "Boston", 5),
        ("Johns Hopkins University", "education", "Baltimore", 4),
        ("Stanford University", "education", "Stanford", 3),
        ("Mayo Clinic", "healthcare", "Rochester", 3),
        ("Memorial Sloan Kettering Cancer Center", "healthcare", "New York", 2.5),
        ("The University of Texas MD Anderson Cancer Center", "healthcare", "Houston", 2.5),
        ("University of California, San Francisco", "education", "San Francisco", 3),
        ("National Cancer Institute", "government", "Bethesda", 2),
        ("Broad Institute", "nonprofit", "Cambridge", 1.5),
        ("University of Pennsylvania", "education", "Philadelphia", 3),
        ("Vanderbilt University Medical Center", "healthcare", "Nashville", 2),
        ("University of Michigan", "education", "Ann Arbor", 3),
        ("Massachusetts General Hospital", "healthcare", "Boston", 2.5),
        ("Washington University in St. Louis", "education", "St. Louis", 2),
    ),
    "CN": (
        ("Peking University", "education", "Beijing", 4),
        ("Fudan University", "education", "Shanghai", 4),
        ("Sun Yat-sen University", "education", "Guangzhou", 4),
        ("Zhejiang University", "education", "Hangzhou", 4),
        ("Shanghai Jiao Tong University", "education", "Shanghai", 4),
        ("Sichuan University", "education", "Chengdu", 3),
        (
            "Chinese Academy of Medical Sciences & Peking Union Medical College",
            "education",
            "Beijing",
            3,
        ),
        ("Central South University", "education", "Changsha", 2.5),
        ("Huazhong University of Science and Technology", "education", "Wuhan", 3),
        ("Tsinghua University", "education", "Beijing", 2),
        ("Nanjing Medical University", "education", "Nanjing", 2),
        ("Beijing University of Chinese Medicine", "education", "Beijing", 1.5),
        ("Shanghai University of Traditional Chinese Medicine", "education", "Shanghai", 1.2),
        ("BGI Group", "company", "Shenzhen", 1),
        ("West China Hospital of Sichuan University", "healthcare", "Chengdu", 2),
        ("Chinese Center for Disease Control and Prevention", "government", "Beijing", 1),
    ),
    "DE": (
        ("Charité - Universitätsmedizin Berlin", "healthcare", "Berlin", 4),
        ("Heidelberg University", "education", "Heidelberg", 3),
        ("German Cancer Research Center", "facility", "Heidelberg", 3),
        ("Ludwig-Maximilians-Universität München", "education", "Munich", 3),
        ("Technical University of Munich", "education", "Munich", 2.5),
        ("Helmholtz Zentrum München", "facility", "Neuherberg", 1.5),
        ("University Hospital Cologne", "healthcare", "Cologne", 1.5),
        ("Max Delbrück Center for Molecular Medicine", "facility", "Berlin", 1.5),
        ("University of Tübingen", "education", "Tübingen", 2),
    ),
    "GB": (
        ("University of Oxford", "education", "Oxford", 4),
        ("University of Cambridge", "education", "Cambridge", 3.5),
        ("University College London", "education", "London", 4),
        ("Imperial College London", "education", "London", 3),
        ("King's College London", "education", "London", 3),
        ("Wellcome Sanger Institute", "nonprofit", "Hinxton", 1.5),
        ("University of Edinburgh", "education", "Edinburgh", 2),
        ("The Institute of Cancer Research", "education", "London", 1.5),
        ("University of Manchester", "education", "Manchester", 2),
    ),
    "FR": (
        ("Institut Gustave Roussy", "healthcare", "Villejuif", 2),
        ("Institut Curie", "nonprofit", "Paris", 2),
        ("Sorbonne Université", "education", "Paris", 3),
        ("Université Paris Cité", "education", "Paris", 3),
        ("Institut Pasteur", "nonprofit", "Paris", 2),
        ("Assistance Publique – Hôpitaux de Paris", "healthcare", "Paris", 3),
        ("Université de Strasbourg", "education", "Strasbourg", 1.5),
        ("Hospices Civils de Lyon", "healthcare", "Lyon", 1.5),
    ),
    "IT": (
        ("University of Milan", "education", "Milan", 3),
        ("Sapienza University of Rome", "education", "Rome", 3),
        ("University of Bologna", "education", "Bologna", 2.5),
        ("University of Padua", "education", "Padua", 2.5),
        ("IRCCS Ospedale San Raffaele", "healthcare", "Milan", 2),
        ("European Institute of Oncology", "healthcare", "Milan", 1.5),
        ("University of Naples Federico II", "education", "Naples", 2),
        ("Fondazione Policlinico Universitario Agostino Gemelli IRCCS", "healthcare", "Rome", 1.5),
    ),
    "ES": (
        ("University of Barcelona", "education", "Barcelona", 3),
        ("Vall d'Hebron Institute of Oncology", "facility", "Barcelona", 1.5),
        ("Spanish National Cancer Research Centre", "facility", "Madrid", 1.5),
        ("Complutense University of Madrid", "education", "Madrid", 2),
        ("Hospital Clínic de Barcelona", "healthcare", "Barcelona", 2),
        ("University of Valencia", "education", "Valencia", 1.5),
        ("Centre for Genomic Regulation", "facility", "Barcelona", 1),
    ),
    "NL": (
        ("Erasmus MC", "healthcare", "Rotterdam", 3),
        ("Leiden University Medical Center", "healthcare", "Leiden", 2.5),
        ("University Medical Center Utrecht", "healthcare", "Utrecht", 2.5),
        ("Radboud University Medical Center", "healthcare", "Nijmegen", 2),
        ("Netherlands Cancer Institute", "facility", "Amsterdam", 1.5),
        ("Amsterdam UMC", "healthcare", "Amsterdam", 2.5),
        ("University Medical Center Groningen", "healthcare", "Groningen", 2),
    ),
    "SE": (
        ("Karolinska Institutet", "education", "Stockholm", 4),
        ("Lund University", "education", "Lund", 2.5),
        ("Uppsala University", "education", "Uppsala", 2),
        ("University of Gothenburg", "education", "Gothenburg", 2),
        ("Science for Life Laboratory", "facility", "Stockholm", 1),
    ),
    "JP": (
        ("The University of Tokyo", "education", "Tokyo", 4),
        ("Kyoto University", "education", "Kyoto", 3),
        ("Osaka University", "education", "Osaka", 3),
        ("National Cancer Center", "healthcare", "Tokyo", 1.5),
        ("RIKEN", "facility", "Wako", 1.5),
        ("Keio University", "education", "Tokyo", 2),
    ),
    "CA": (
        ("University of Toronto", "education", "Toronto", 4),
        ("McGill University", "education", "Montreal", 2.5),
        ("University of British Columbia", "education", "Vancouver", 2.5),
        ("Princess Margaret Cancer Centre", "healthcare", "Toronto", 1.5),
        ("McMaster University", "education", "Hamilton", 1.5),
    ),
    "AU": (
        ("University of Melbourne", "education", "Melbourne", 3),
        ("University of Sydney", "education", "Sydney", 3),
        ("Walter and Eliza Hall Institute of Medical Research", "nonprofit", "Melbourne", 1.5),
        ("Monash University", "education", "Melbourne", 2.5),
        ("Peter MacCallum Cancer Centre", "healthcare", "Melbourne", 1.5),
    ),
    "CH": (
        ("University of Zurich", "education", "Zurich", 3),
        ("University of Basel", "education", "Basel", 2),
        ("University of Geneva", "education", "Geneva", 2),
        ("ETH Zurich", "education", "Zurich", 2),
        ("Roche (Switzerland)", "company", "Basel", 1),
    ),
    "KR": (
        ("Seoul National University", "education", "Seoul", 3),
        ("Yonsei University", "education", "Seoul", 2.5),
        ("Samsung Medical Center", "healthcare", "Seoul", 2),
        ("Asan Medical Center", "healthcare", "Seoul", 2),
    ),
    "IN": (
        ("All India Institute of Medical Sciences", "education", "New Delhi", 3),
        ("Tata Memorial Hospital", "healthcare", "Mumbai", 1.5),
        ("Post Graduate Institute of Medical Education and Research", "education", "Chandigarh", 2),
        ("Christian Medical College, Vellore", "education", "Vellore", 1.5),
    ),
    "BE": (
        ("KU Leuven", "education", "Leuven", 3),
        ("Ghent University", "education", "Ghent", 2.5),
        ("Université libre de Bruxelles", "education", "Brussels", 1.5),
    ),
    "DK": (
        ("University of Copenhagen", "education", "Copenhagen", 3),
        ("Aarhus University", "education", "Aarhus", 2),
        ("Rigshospitalet", "healthcare", "Copenhagen", 2),
    ),
    "AT": (
        ("Medical University of Vienna", "education", "Vienna", 3),
        ("Medical University of Innsbruck", "education", "Innsbruck", 1.5),
    ),
    "FI": (
        ("University of Helsinki", "education", "Helsinki", 3),
        ("University of Oulu", "education", "Oulu", 1),
    ),
    "PL": (
        ("Medical University of Warsaw", "education", "Warsaw", 2),
        ("Jagiellonian University", "education", "Kraków", 2),
    ),
    "PT": (
        ("University of Porto", "education", "Porto", 2),
        ("University of Lisbon", "education", "Lisbon", 2),
    ),
    "IE": (
        ("Trinity College Dublin", "education", "Dublin", 2),
        ("University College Dublin", "education", "Dublin", 1.5),
    ),
    "GR": (
        ("National and Kapodistrian University of Athens", "education", "Athens", 2),
        ("Aristotle University of Thessaloniki", "education", "Thessaloniki", 1.5),
    ),
    "CZ": (
        ("Charles University", "education", "Prague", 2),
        ("Masaryk University", "education", "Brno", 1.5),
    ),
    "HU": (
        ("Semmelweis University", "education", "Budapest", 2),
        ("University of Debrecen", "education", "Debrecen", 1),
    ),
    "NO": (
        ("University of Oslo", "education", "Oslo", 3),
        ("Oslo University Hospital", "healthcare", "Oslo", 2),
    ),
    "BR": (
        ("Universidade de São Paulo", "education", "São Paulo", 3),
        ("Universidade Federal do Rio de Janeiro", "education", "Rio de Janeiro", 1.5),
    ),
    "HK": (
        ("University of Hong Kong", "education", "Hong Kong", 2),
        ("Chinese University of Hong Kong", "education", "Hong Kong", 2),
    ),
    "SG": (
        ("National University of Singapore", "education", "Singapore", 3),
        ("Genome Institute of Singapore", "facility", "Singapore", 1),
    ),
    "IL": (
        ("Tel Aviv University", "education", "Tel Aviv", 2),
        ("Weizmann Institute of Science", "education", "Rehovot", 1.5),
    ),
}

# Secondary affiliations OpenAlex could not place: real records carry such
# institutions with country_code null.
UNPLACED_INSTITUTIONS: tuple[str, ...] = (
    "Clinical Research Center for Precision Medicine",
    "Institute of Translational Medicine",
    "Center for Molecular Diagnostics",
    "Department of Medical Genetics",
)

DEPARTMENTS: tuple[str, ...] = (
    "Department of Oncology",
    "Department of Medical Genetics",
    "Department of Cardiology",
    "Department of Endocrinology",
    "Department of Neurology",
    "Department of Psychiatry",
    "Department of Clinical Pharmacology",
    "Department of Epidemiology",
    "Department of Pathology",
    "Department of Bioinformatics",
    "Institute of Immunology",
    "School of Public Health",
)

# Name pools by naming culture; a country maps to its culture below.
GIVEN: dict[str, tuple[str, ...]] = {
    "zh": tuple(
        "Wei Jing Li Hua Min Yan Xin Lei Jun Hui Fang Ying Ming Tao Chen Qiang Xiaoming Yufei Jianguo Haiyan Zhiwei Lingling Xiaohong Yongmei Junjie Shuang Rui Bo Peng Yun".split()
    ),
    "en": tuple(
        "James Mary John Patricia Robert Jennifer Michael Linda David Elizabeth William Susan Richard Sarah Thomas Karen Daniel Emily Matthew Laura Andrew Rachel Mark Anna Paul Helen".split()
    ),
    "de": tuple(
        "Thomas Andreas Stefan Michael Katrin Sabine Julia Anna Markus Jürgen Tobias Claudia Matthias Lena Florian Susanne Jan Petra Felix Monika".split()
    ),
    "fr": tuple(
        "Jean Marie Pierre Sophie Nicolas Isabelle François Camille Julien Claire Antoine Émilie Laurent Nathalie Mathieu Céline".split()
    ),
    "it": tuple(
        "Marco Giulia Luca Francesca Giuseppe Chiara Andrea Sara Alessandro Paola Matteo Elena Roberto Valentina Stefano".split()
    ),
    "es": tuple(
        "José María Carlos Carmen Javier Laura Miguel Ana Antonio Lucía Pablo Marta Jordi Elena Sergio Núria".split()
    ),
    "nl": tuple(
        "Jan Pieter Anne Sanne Willem Maarten Eva Lotte Bas Femke Joost Marieke Ruben Iris".split()
    ),
    "nordic": tuple(
        "Erik Anna Lars Karin Johan Maria Anders Ingrid Mikael Sofia Henrik Kristina Jukka Mette Ole".split()
    ),
    "ja": tuple(
        "Hiroshi Yuki Takashi Naoko Kenji Akiko Satoshi Yoko Daisuke Keiko Shinji Tomoko".split()
    ),
    "ko": tuple(
        "Min-jun Ji-woo Seo-yeon Hyun-woo Ji-hoon Soo-jin Dong-hyun Eun-ji Jae-won Hye-jin".split()
    ),
    "in": tuple(
        "Rahul Priya Amit Anjali Suresh Kavita Vikram Neha Arjun Deepa Sanjay Pooja".split()
    ),
    "pt": tuple("João Ana Pedro Mariana Lucas Beatriz Rafael Fernanda Tiago Carolina".split()),
    "pl": tuple(
        "Piotr Anna Krzysztof Katarzyna Tomasz Agnieszka Paweł Magdalena Jakub Ewa".split()
    ),
    "he": tuple("Yael Noam Tamar Eitan Michal Avi Shira Ori Dana Yosef".split()),
}
FAMILY: dict[str, tuple[str, ...]] = {
    "zh": tuple(
        "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Gao Luo Zheng Liang Xie Song Tang Han Feng Deng Cao Peng".split()
    ),
    "en": tuple(
        "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Martin Jackson Thompson White Harris Clark Lewis Walker Hall Young King Wright Scott Green".split()
    ),
    "de": tuple(
        "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter Klein Wolf Schröder Neumann Braun Zimmermann Krüger Hartmann".split()
    ),
    "fr": tuple(
        "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre Michel Garcia Fournier".split()
    ),
    "it": tuple(
        "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti De Luca Costa".split()
    ),
    "es": tuple(
        "García Fernández González Rodríguez López Martínez Sánchez Pérez Gómez Martín Jiménez Ruiz Hernández Díaz Moreno Puig".split()
    ),
    "nl": tuple(
        "de Jong Jansen de Vries van den Berg van Dijk Bakker Visser Smit Meijer de Boer Mulder de Groot Bos Vos".split()
    ),
    "nordic": tuple(
        "Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsen Hansen Jensen Nielsen Virtanen Korhonen Berg Lindqvist".split()
    ),
    "ja": tuple(
        "Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi Kato Yoshida Yamada".split()
    ),
    "ko": tuple("Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim".split()),
    "in": tuple("Sharma Verma Gupta Singh Kumar Patel Reddy Iyer Nair Rao Mehta Das".split()),
    "pt": tuple(
        "Silva Santos Oliveira Souza Pereira Costa Rodrigues Almeida Ferreira Carvalho".split()
    ),
    "pl": tuple(
        "Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński".split()
    ),
    "he": tuple("Cohen Levi Mizrahi Peretz Biton Friedman Shapiro Katz".split()),
}
CULTURE: dict[str, str] = {
    "US": "en",
    "GB": "en",
    "CA": "en",
    "AU": "en",
    "IE": "en",
    "SG": "zh",
    "CN": "zh",
    "HK": "zh",
    "DE": "de",
    "AT": "de",
    "CH": "de",
    "FR": "fr",
    "BE": "fr",
    "IT": "it",
    "ES": "es",
    "NL": "nl",
    "SE": "nordic",
    "DK": "nordic",
    "NO": "nordic",
    "FI": "nordic",
    "JP": "ja",
    "KR": "ko",
    "IN": "in",
    "PT": "pt",
    "BR": "pt",
    "PL": "pl",
    "CZ": "pl",
    "HU": "pl",
    "GR": "it",
    "IL": "he",
}

# OpenAlex subfields: (id, name, field id, field name, domain id, domain name).
_MED = (27, "Medicine", 4, "Health Sciences")
_BIO = (13, "Biochemistry, Genetics and Molecular Biology", 1, "Life Sciences")
SUBFIELDS: dict[str, tuple[int, str, int, str, int, str]] = {
    "oncology": (2730, "Oncology", *_MED),
    "cancer_research": (1306, "Cancer Research", *_BIO),
    "genetics": (1311, "Genetics", *_BIO),
    "molecular_biology": (1312, "Molecular Biology", *_BIO),
    "cardiology": (2705, "Cardiology and Cardiovascular Medicine", *_MED),
    "endocrinology": (2712, "Endocrinology, Diabetes and Metabolism", *_MED),
    "infectious": (2725, "Infectious Diseases", *_MED),
    "neurology": (2728, "Neurology", *_MED),
    "psychiatry": (2738, "Psychiatry and Mental health", *_MED),
    "clinical_genetics": (2716, "Genetics", *_MED),
    "pharmacology": (
        3004,
        "Pharmacology",
        30,
        "Pharmacology, Toxicology and Pharmaceutics",
        1,
        "Life Sciences",
    ),
    "ai": (1702, "Artificial Intelligence", 17, "Computer Science", 3, "Physical Sciences"),
    "health_informatics": (2718, "Health Informatics", *_MED),
    "cam": (2707, "Complementary and alternative medicine", *_MED),
    "epidemiology": (2713, "Epidemiology", *_MED),
    "immunology": (2403, "Immunology", 24, "Immunology and Microbiology", 1, "Life Sciences"),
}

# Phrases that make a work relevant to personalised medicine.
PM_PHRASES: tuple[str, ...] = (
    "precision medicine",
    "personalized medicine",
    "personalised medicine",
    "pharmacogenomic",
    "targeted therapy",
    "companion diagnostic",
    "individualized treatment",
    "stratified medicine",
    "precision oncology",
    "genotype-guided dosing",
)

STUDY_DESIGNS: tuple[str, ...] = (
    "retrospective cohort study",
    "prospective multicentre study",
    "systematic review and meta-analysis",
    "randomized controlled trial",
    "cross-sectional study",
    "real-world analysis",
    "case-control study",
    "single-centre experience",
    "population-based study",
    "narrative review",
)

# One entry per PM topic of the demo corpus. weight: share of output in 2000 and 2025.
# topics: (made-up OpenAlex topic number, display name, subfield key).
# concepts: (OpenAlex concept id, display name, level, Wikidata id).
# mesh: (descriptor UI, descriptor name, qualifier UI, qualifier name).
TOPICS: tuple[dict[str, Any], ...] = (
    {
        "key": "oncology",
        "weight": (26, 22),
        "dept": "Department of Oncology",
        "topics": (
            (10030, "Lung Cancer Treatments and Mutations", "oncology"),
            (10117, "Cancer Immunotherapy and Biomarkers", "oncology"),
            (10154, "Breast Cancer Treatment Studies", "oncology"),
            (10420, "Colorectal Cancer Treatments and Studies", "cancer_research"),
        ),
        "concepts": (
            ("C121608353", "Cancer", 2, "Q12078"),
            ("C143998085", "Oncology", 1, "Q162555"),
            ("C2776256026", "Lung cancer", 2, "Q47912"),
            ("C530470458", "Breast cancer", 3, "Q128581"),
            ("C526805850", "Colorectal cancer", 3, "Q188874"),
            ("C2777701055", "Immunotherapy", 3, "Q1427096"),
            ("C502942594", "Cancer research", 1, "Q3421914"),
        ),
        "keywords": (
            "Non-small cell lung cancer",
            "Breast cancer",
            "Colorectal cancer",
            "Immunotherapy",
            "EGFR",
            "Tyrosine kinase inhibitor",
            "Tumor microenvironment",
            "Immune checkpoint",
        ),
        "mesh": (
            ("D002289", "Carcinoma, Non-Small-Cell Lung", "Q000188", "drug therapy"),
            ("D001943", "Breast Neoplasms", "Q000235", "genetics"),
            ("D015179", "Colorectal Neoplasms", "Q000473", "pathology"),
            ("D058990", "Molecular Targeted Therapy", None, None),
            ("D000970", "Antineoplastic Agents", "Q000627", "therapeutic use"),
            ("D007167", "Immunotherapy", "Q000379", "methods"),
            ("D009154", "Mutation", None, None),
        ),
        "subjects": (
            "non-small cell lung cancer",
            "HER2-positive breast cancer",
            "metastatic colorectal cancer",
            "hepatocellular carcinoma",
            "gastric cancer",
            "acute myeloid leukaemia",
            "melanoma",
        ),
        "approaches": (
            "EGFR tyrosine kinase inhibitors",
            "immune checkpoint blockade",
            "PD-1 inhibition",
            "CAR-T cell therapy",
            "tumour mutational burden profiling",
            "KRAS G12C inhibition",
        ),
        "markers": (
            "EGFR mutation status",
            "PD-L1 expression",
            "tumour mutational burden",
            "HER2 amplification",
            "microsatellite instability",
            "circulating tumour DNA",
        ),
        "outcomes": (
            "progression-free survival",
            "overall survival",
            "objective response rate",
            "recurrence",
        ),
        "venues": (
            "Journal of Clinical Oncology",
            "The Lancet Oncology",
            "Annals of Oncology",
            "Cancer Research",
            "Clinical Cancer Research",
            "JAMA Oncology",
            "Chinese Journal of Cancer Research",
        ),
    },
    {
        "key": "rare_diseases",
        "weight": (5, 6),
        "dept": "Department of Medical Genetics",
        "topics": (
            (11241, "Genetic and Rare Diseases Diagnosis", "clinical_genetics"),
            (10813, "Muscular Dystrophy Treatments and Genetics", "clinical_genetics"),
        ),
        "concepts": (
            ("C54355233", "Genetics", 1, "Q7162"),
            ("C2779134260", "Disease", 2, "Q12136"),
            ("C104317684", "Gene", 2, "Q7187"),
        ),
        "keywords": (
            "Rare disease",
            "Orphan drug",
            "Exome sequencing",
            "Cystic fibrosis",
            "Duchenne muscular dystrophy",
            "Gene therapy",
        ),
        "mesh": (
            ("D035583", "Rare Diseases", "Q000175", "diagnosis"),
            ("D030342", "Genetic Diseases, Inborn", "Q000235", "genetics"),
            ("D003550", "Cystic Fibrosis", "Q000188", "drug therapy"),
            ("D020388", "Muscular Dystrophy, Duchenne", "Q000235", "genetics"),
            ("D000073359", "Whole Exome Sequencing", None, None),
            ("D015316", "Genetic Therapy", "Q000379", "methods"),
        ),
        "subjects": (
            "cystic fibrosis",
            "Duchenne muscular dystrophy",
            "spinal muscular atrophy",
            "inherited retinal dystrophy",
            "lysosomal storage disorders",
            "undiagnosed rare disease",
        ),
        "approaches": (
            "whole-exome sequencing",
            "antisense oligonucleotide therapy",
            "CFTR modulator therapy",
            "AAV gene therapy",
            "newborn genomic screening",
        ),
        "markers": (
            "pathogenic variants",
            "diagnostic yield",
            "CFTR genotype",
            "dystrophin expression",
        ),
        "outcomes": ("diagnostic yield", "time to diagnosis", "lung function", "motor function"),
        "venues": (
            "Orphanet Journal of Rare Diseases",
            "Genetics in Medicine",
            "European Journal of Human Genetics",
            "Journal of Medical Genetics",
        ),
    },
    {
        "key": "cardiovascular",
        "weight": (12, 9),
        "dept": "Department of Cardiology",
        "topics": (
            (10221, "Heart Failure Treatment and Management", "cardiology"),
            (10340, "Atrial Fibrillation Management and Outcomes", "cardiology"),
        ),
        "concepts": (
            ("C164705383", "Cardiology", 1, "Q10379"),
            ("C126322002", "Internal medicine", 1, "Q11180"),
        ),
        "keywords": (
            "Heart failure",
            "Atrial fibrillation",
            "Hypertension",
            "Coronary artery disease",
            "Polygenic risk score",
            "Anticoagulation",
        ),
        "mesh": (
            ("D006333", "Heart Failure", "Q000188", "drug therapy"),
            ("D001281", "Atrial Fibrillation", "Q000175", "diagnosis"),
            ("D006973", "Hypertension", "Q000453", "epidemiology"),
            ("D003324", "Coronary Artery Disease", "Q000235", "genetics"),
            ("D002318", "Cardiovascular Diseases", None, None),
        ),
        "subjects": (
            "heart failure with reduced ejection fraction",
            "atrial fibrillation",
            "coronary artery disease",
            "hypertrophic cardiomyopathy",
            "resistant hypertension",
        ),
        "approaches": (
            "polygenic risk scores",
            "SGLT2 inhibitors",
            "direct oral anticoagulants",
            "cardiac magnetic resonance phenotyping",
            "genotype-guided antiplatelet therapy",
        ),
        "markers": ("NT-proBNP", "high-sensitivity troponin", "LDL cholesterol", "lipoprotein(a)"),
        "outcomes": (
            "major adverse cardiovascular events",
            "hospitalisation for heart failure",
            "all-cause mortality",
        ),
        "venues": (
            "European Heart Journal",
            "Circulation",
            "Journal of the American College of Cardiology",
            "Cardiovascular Research",
        ),
    },
    {
        "key": "diabetes",
        "weight": (9, 8),
        "dept": "Department of Endocrinology",
        "topics": (
            (10260, "Diabetes Treatment and Management", "endocrinology"),
            (10532, "Metabolism, Diabetes, and Cancer", "endocrinology"),
        ),
        "concepts": (
            ("C555293320", "Diabetes mellitus", 2, "Q12206"),
            ("C134018914", "Endocrinology", 1, "Q162606"),
        ),
        "keywords": (
            "Type 2 diabetes",
            "Insulin resistance",
            "Metformin",
            "Obesity",
            "Glycaemic control",
            "GLP-1 receptor agonist",
        ),
        "mesh": (
            ("D003924", "Diabetes Mellitus, Type 2", "Q000188", "drug therapy"),
            ("D003922", "Diabetes Mellitus, Type 1", "Q000235", "genetics"),
            ("D007333", "Insulin Resistance", None, None),
            ("D008687", "Metformin", "Q000627", "therapeutic use"),
            ("D009765", "Obesity", "Q000453", "epidemiology"),
            ("D001786", "Blood Glucose", "Q000378", "metabolism"),
        ),
        "subjects": (
            "type 2 diabetes",
            "type 1 diabetes",
            "gestational diabetes",
            "diabetic kidney disease",
            "maturity-onset diabetes of the young",
        ),
        "approaches": (
            "metformin therapy",
            "GLP-1 receptor agonists",
            "continuous glucose monitoring",
            "data-driven diabetes subgroups",
            "lifestyle intervention",
        ),
        "markers": ("HbA1c", "fasting glucose", "C-peptide", "TCF7L2 variants"),
        "outcomes": ("glycaemic control", "microvascular complications", "insulin requirement"),
        "venues": (
            "Diabetes Care",
            "Diabetologia",
            "The Lancet Diabetes & Endocrinology",
            "Journal of Diabetes",
        ),
    },
    {
        "key": "infectious",
        "weight": (10, 8),
        "dept": "Institute of Immunology",
        "topics": (
            (10410, "Tuberculosis Research and Epidemiology", "infectious"),
            (10043, "COVID-19 Clinical Research Studies", "infectious"),
            (10098, "HIV/AIDS drug development and treatment", "infectious"),
        ),
        "concepts": (
            ("C159047783", "Virology", 1, "Q7215"),
            ("C203014093", "Immunology", 1, "Q101929"),
        ),
        "keywords": (
            "Tuberculosis",
            "COVID-19",
            "HIV",
            "Antimicrobial resistance",
            "Sepsis",
            "Hepatitis B",
        ),
        "mesh": (
            ("D014376", "Tuberculosis", "Q000188", "drug therapy"),
            ("D000086382", "COVID-19", "Q000453", "epidemiology"),
            ("D015658", "HIV Infections", "Q000188", "drug therapy"),
            ("D024881", "Drug Resistance, Bacterial", None, None),
            ("D018805", "Sepsis", "Q000175", "diagnosis"),
            ("D006509", "Hepatitis B", "Q000453", "epidemiology"),
        ),
        "subjects": (
            "multidrug-resistant tuberculosis",
            "COVID-19",
            "HIV infection",
            "chronic hepatitis B",
            "bacterial sepsis",
            "influenza",
        ),
        "approaches": (
            "host-directed therapy",
            "whole-genome sequencing of pathogens",
            "antiviral therapy",
            "rapid molecular testing",
            "vaccination",
        ),
        "markers": (
            "viral load",
            "procalcitonin",
            "drug-resistance mutations",
            "host transcriptomic signatures",
        ),
        "outcomes": (
            "treatment success",
            "28-day mortality",
            "viral suppression",
            "time to culture conversion",
        ),
        "venues": (
            "The Lancet Infectious Diseases",
            "Clinical Infectious Diseases",
            "Journal of Infectious Diseases",
            "Emerging Microbes & Infections",
        ),
    },
    {
        "key": "neuro_mental",
        "weight": (10, 9),
        "dept": "Department of Neurology",
        "topics": (
            (10502, "Alzheimer's disease research and treatments", "neurology"),
            (10076, "Parkinson's Disease Mechanisms and Treatments", "neurology"),
            (10166, "Treatment of Major Depression", "psychiatry"),
            (10255, "Schizophrenia research and treatment", "psychiatry"),
        ),
        "concepts": (
            ("C169760540", "Neuroscience", 1, "Q207011"),
            ("C118552586", "Psychiatry", 1, "Q7867"),
            ("C70410870", "Clinical psychology", 1, "Q199906"),
        ),
        "keywords": (
            "Alzheimer's disease",
            "Parkinson's disease",
            "Major depressive disorder",
            "Schizophrenia",
            "Epilepsy",
            "Neuroimaging",
        ),
        "mesh": (
            ("D000544", "Alzheimer Disease", "Q000175", "diagnosis"),
            ("D010300", "Parkinson Disease", "Q000235", "genetics"),
            ("D003865", "Depressive Disorder, Major", "Q000188", "drug therapy"),
            ("D012559", "Schizophrenia", "Q000235", "genetics"),
            ("D004827", "Epilepsy", "Q000188", "drug therapy"),
            ("D008279", "Magnetic Resonance Imaging", None, None),
        ),
        "subjects": (
            "Alzheimer's disease",
            "Parkinson's disease",
            "major depressive disorder",
            "schizophrenia",
            "drug-resistant epilepsy",
            "multiple sclerosis",
        ),
        "approaches": (
            "amyloid PET imaging",
            "antidepressant response prediction",
            "deep brain stimulation",
            "anti-amyloid antibodies",
            "polygenic scores",
        ),
        "markers": (
            "plasma p-tau217",
            "amyloid-beta",
            "CYP2C19 metaboliser status",
            "neurofilament light chain",
        ),
        "outcomes": ("cognitive decline", "remission", "seizure freedom", "relapse"),
        "venues": (
            "The Lancet Neurology",
            "Brain",
            "JAMA Psychiatry",
            "Molecular Psychiatry",
            "Neurology",
        ),
    },
    {
        "key": "pharmacogenomics",
        "weight": (5, 6),
        "dept": "Department of Clinical Pharmacology",
        "topics": ((10587, "Pharmacogenetics and Drug Metabolism", "pharmacology"),),
        "concepts": (
            ("C170734499", "Pharmacogenomics", 2, "Q1152227"),
            ("C98274493", "Pharmacology", 1, "Q128406"),
        ),
        "keywords": (
            "Pharmacogenomics",
            "CYP2C19",
            "CYP2D6",
            "Warfarin",
            "Clopidogrel",
            "Adverse drug reaction",
        ),
        "mesh": (
            ("D010597", "Pharmacogenetics", "Q000379", "methods"),
            ("D014859", "Warfarin", "Q000008", "administration & dosage"),
            ("D000077144", "Clopidogrel", "Q000627", "therapeutic use"),
            ("D020641", "Polymorphism, Single Nucleotide", None, None),
            ("D005838", "Genotype", None, None),
            ("D064420", "Drug-Related Side Effects and Adverse Reactions", "Q000235", "genetics"),
        ),
        "subjects": (
            "warfarin dosing",
            "clopidogrel response",
            "thiopurine toxicity",
            "statin myopathy",
            "fluoropyrimidine toxicity",
            "antidepressant prescribing",
        ),
        "approaches": (
            "pre-emptive pharmacogenomic testing",
            "CYP2C19 genotyping",
            "HLA-B*58:01 screening",
            "DPYD genotype-guided dosing",
            "pharmacogenomic clinical decision support",
        ),
        "markers": (
            "CYP2C19 loss-of-function alleles",
            "VKORC1 genotype",
            "DPYD variants",
            "TPMT activity",
        ),
        "outcomes": ("adverse drug reactions", "time in therapeutic range", "dose requirement"),
        "venues": (
            "Clinical Pharmacology & Therapeutics",
            "Pharmacogenomics",
            "The Pharmacogenomics Journal",
            "British Journal of Clinical Pharmacology",
        ),
    },
    {
        "key": "omics",
        "weight": (9, 10),
        "dept": "Department of Bioinformatics",
        "topics": (
            (10015, "Genomics and Phylogenetic Studies", "genetics"),
            (10885, "Single-cell and spatial transcriptomics", "molecular_biology"),
            (10637, "Genetic Associations and Epidemiology", "genetics"),
        ),
        "concepts": (
            ("C189206191", "Genomics", 4, "Q222046"),
            ("C60644358", "Bioinformatics", 1, "Q128570"),
            ("C70721500", "Computational biology", 1, "Q177005"),
            ("C54355233", "Genetics", 1, "Q7162"),
        ),
        "keywords": (
            "Whole-genome sequencing",
            "Single-cell RNA sequencing",
            "Proteomics",
            "Metabolomics",
            "GWAS",
            "Multi-omics",
        ),
        "mesh": (
            ("D023281", "Genomics", "Q000379", "methods"),
            ("D059014", "High-Throughput Nucleotide Sequencing", None, None),
            ("D059467", "Transcriptome", None, None),
            ("D040901", "Proteomics", None, None),
            ("D055432", "Metabolomics", None, None),
            ("D055106", "Genome-Wide Association Study", None, None),
            ("D059010", "Single-Cell Analysis", None, None),
        ),
        "subjects": (
            "complex disease",
            "tumour heterogeneity",
            "population cohorts",
            "immune cell states",
            "the East Asian population",
            "European ancestry cohorts",
        ),
        "approaches": (
            "single-cell RNA sequencing",
            "multi-omics integration",
            "whole-genome sequencing",
            "spatial transcriptomics",
            "genome-wide association analysis",
            "proteomic profiling",
        ),
        "markers": (
            "expression quantitative trait loci",
            "copy-number alterations",
            "DNA methylation",
            "rare coding variants",
        ),
        "outcomes": ("disease risk", "cell-type composition", "heritability"),
        "venues": (
            "Nature Genetics",
            "Genome Medicine",
            "Genome Research",
            "Nucleic Acids Research",
            "Genomics, Proteomics & Bioinformatics",
        ),
    },
    {
        "key": "biomarkers",
        "weight": (6, 7),
        "dept": "Department of Pathology",
        "topics": (
            (10368, "Cancer Genomics and Diagnostics", "cancer_research"),
            (10909, "Biomarkers and Liquid Biopsy", "molecular_biology"),
        ),
        "concepts": (
            ("C142724271", "Pathology", 1, "Q7208"),
            ("C126322002", "Internal medicine", 1, "Q11180"),
        ),
        "keywords": (
            "Biomarker",
            "Liquid biopsy",
            "Circulating tumor DNA",
            "Companion diagnostics",
            "Diagnostic accuracy",
            "Early detection",
        ),
        "mesh": (
            ("D015415", "Biomarkers", "Q000097", "blood"),
            ("D014408", "Biomarkers, Tumor", "Q000097", "blood"),
            ("D055088", "Early Detection of Cancer", "Q000379", "methods"),
            ("D012680", "Sensitivity and Specificity", None, None),
            ("D011379", "Prognosis", None, None),
        ),
        "subjects": (
            "early-stage cancer",
            "sepsis",
            "acute kidney injury",
            "lung nodules",
            "pancreatic cancer",
        ),
        "approaches": (
            "liquid biopsy",
            "cell-free DNA methylation profiling",
            "companion diagnostic assays",
            "multiplex immunoassays",
            "digital pathology",
        ),
        "markers": (
            "circulating tumour DNA",
            "cell-free DNA methylation",
            "exosomal microRNA",
            "serum proteins",
        ),
        "outcomes": ("diagnostic accuracy", "area under the curve", "sensitivity and specificity"),
        "venues": (
            "Clinical Chemistry",
            "Molecular Cancer",
            "Journal of Molecular Diagnostics",
            "Biomarker Research",
        ),
    },
    {
        "key": "ai_data",
        "weight": (3, 9),
        "dept": "Department of Bioinformatics",
        "topics": (
            (10862, "AI in cancer detection", "ai"),
            (12535, "Machine Learning in Healthcare", "health_informatics"),
            (10326, "Electronic Health Records Systems", "health_informatics"),
        ),
        "concepts": (
            ("C154945302", "Artificial intelligence", 1, "Q11660"),
            ("C119857082", "Machine learning", 1, "Q2539"),
            ("C108583219", "Deep learning", 2, "Q197536"),
            ("C41008148", "Computer science", 0, "Q21198"),
            ("C75684735", "Big data", 2, "Q858810"),
        ),
        "keywords": (
            "Deep learning",
            "Machine learning",
            "Electronic health records",
            "Federated learning",
            "Natural language processing",
            "Risk prediction",
        ),
        "mesh": (
            ("D000069550", "Machine Learning", None, None),
            ("D000077321", "Deep Learning", None, None),
            ("D001185", "Artificial Intelligence", None, None),
            ("D057286", "Electronic Health Records", "Q000706", "statistics & numerical data"),
            ("D000465", "Algorithms", None, None),
            ("D016571", "Neural Networks, Computer", None, None),
        ),
        "subjects": (
            "histopathology slides",
            "electronic health records",
            "chest CT",
            "multimodal patient data",
            "intensive care patients",
        ),
        "approaches": (
            "deep learning",
            "federated learning",
            "graph neural networks",
            "large language models",
            "gradient boosting",
            "explainable machine learning",
        ),
        "markers": (
            "imaging features",
            "longitudinal laboratory values",
            "clinical notes",
            "radiomic signatures",
        ),
        "outcomes": ("risk prediction", "area under the curve", "external validation performance"),
        "venues": (
            "npj Digital Medicine",
            "The Lancet Digital Health",
            "Nature Medicine",
            "Journal of the American Medical Informatics Association",
            "IEEE Journal of Biomedical and Health Informatics",
        ),
    },
    {
        "key": "tcm",
        "weight": (3, 4),
        "dept": "School of Chinese Materia Medica",
        "topics": (
            (11119, "Traditional Chinese Medicine Studies", "cam"),
            (10914, "Acupuncture Treatment Research Studies", "cam"),
        ),
        "concepts": (
            ("C204787440", "Alternative medicine", 2, "Q188504"),
            ("C98274493", "Pharmacology", 1, "Q128406"),
        ),
        "keywords": (
            "Traditional Chinese medicine",
            "Herbal medicine",
            "Network pharmacology",
            "Acupuncture",
            "Syndrome differentiation",
            "Molecular docking",
        ),
        "mesh": (
            ("D008516", "Medicine, Chinese Traditional", "Q000379", "methods"),
            ("D004365", "Drugs, Chinese Herbal", "Q000627", "therapeutic use"),
            ("D015670", "Acupuncture Therapy", None, None),
            ("D062105", "Molecular Docking Simulation", None, None),
            ("D010936", "Plant Extracts", "Q000494", "pharmacology"),
        ),
        "subjects": (
            "chronic heart failure",
            "type 2 diabetes",
            "functional dyspepsia",
            "post-stroke recovery",
            "cancer-related fatigue",
        ),
        "approaches": (
            "network pharmacology",
            "herbal formula treatment",
            "acupuncture",
            "syndrome-differentiation-guided treatment",
            "tongue image analysis",
        ),
        "markers": (
            "TCM syndrome patterns",
            "active herbal compounds",
            "gut microbiota composition",
        ),
        "outcomes": ("symptom scores", "quality of life", "adverse events"),
        "venues": (
            "Journal of Ethnopharmacology",
            "Chinese Medicine",
            "Phytomedicine",
            "Journal of Traditional Chinese Medicine",
        ),
    },
    {
        "key": "biobanks",
        "weight": (2, 4),
        "dept": "School of Public Health",
        "topics": (
            (11479, "Biobanking and Data Sharing", "epidemiology"),
            (10637, "Genetic Associations and Epidemiology", "genetics"),
        ),
        "concepts": (
            ("C107130276", "Epidemiology", 2, "Q133805"),
            ("C77088390", "Database", 1, "Q8513"),
        ),
        "keywords": (
            "Biobank",
            "Cohort study",
            "Informed consent",
            "Data sharing",
            "UK Biobank",
            "China Kadoorie Biobank",
        ),
        "mesh": (
            ("D018070", "Biological Specimen Banks", "Q000592", "standards"),
            ("D015331", "Cohort Studies", None, None),
            ("D007258", "Informed Consent", None, None),
            ("D011446", "Prospective Studies", None, None),
            ("D030541", "Databases, Genetic", None, None),
            ("D012042", "Registries", None, None),
        ),
        "subjects": (
            "population biobanks",
            "hospital-based biobanks",
            "paediatric cohorts",
            "rare disease registries",
        ),
        "approaches": (
            "broad consent",
            "federated data access",
            "sample quality management",
            "GA4GH data-use ontology tagging",
            "cross-border data sharing",
        ),
        "markers": ("sample integrity", "participant retention", "linked health records"),
        "outcomes": ("data access requests", "reuse of samples", "participant trust"),
        "venues": (
            "Biopreservation and Biobanking",
            "BMC Medical Ethics",
            "International Journal of Epidemiology",
            "European Journal of Epidemiology",
        ),
    },
)
