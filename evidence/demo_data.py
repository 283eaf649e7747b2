"""The IVIG demo: curated facts about intravenous immunoglobulin in RA and lupus.

Plain data only; ``evidence.services.demo_load`` writes it. References are keyed by a
local name so that studies, verdicts and safety facts can point at them. Bibliographic
fields are those of the published records; identifiers we could not confirm are left
blank rather than guessed. Every sentence of prose is our own summary of the sources.

Where the source lists only the first authors of a paper, the list ends with the
collective entry "et al." so that no citation implies a complete author list.
"""

import datetime

REVIEWED_ON = datetime.date(2026, 11, 21)

ET_AL = {"collective": "et al."}


def _author(family: str, initials: str, given: str = "") -> dict[str, str]:
    return {"family": family, "given": given, "initials": initials}


THERAPY = {
    "slug": "ivig",
    "name": "Intravenous immunoglobulin (IVIG)",
    "drug_class": "Immunoglobulin (pooled human IgG)",
    "aliases": ["IVIG", "IVIg", "intravenous immunoglobulin", "IGIV"],
    "description": (
        "A concentrate of IgG antibodies purified from plasma given by many healthy donors "
        "and infused into a vein. It replaces antibodies that a patient lacks and, at high "
        "doses, damps down parts of the immune response."
    ),
    "cost_and_supply_note": (
        "IVIG is expensive. Each batch is purified from plasma pooled from thousands of "
        "donors, and demand from a long list of conditions keeps supply tight, so "
        "prescribers tend to reserve it."
    ),
}

REFERENCES: dict[str, dict] = {
    # The ten references of the rheumatoid arthritis article, in its order.
    "mulhearn2015": {
        "doi": "10.1093/rheumatology/keu429",
        "title": "Indications for IVIG in rheumatic diseases",
        "authors": [_author("Mulhearn", "B", "Ben"), _author("Bruce", "IN", "Ian N")],
        "journal": "Rheumatology (Oxford, England)",
        "journal_abbreviation": "Rheumatology (Oxford)",
        "year": 2015,
        "volume": "54",
        "issue": "3",
        "pages": "383-91",
        "publication_types": ["Review"],
    },
    "kaestner2021": {
        "doi": "10.1007/s00296-021-04871-x",
        "title": (
            "Immunoglobulin deficiencies in treated patients suffering from rheumatoid arthritis"
        ),
        "authors": [
            _author("Kaestner", "S"),
            _author("Wolff", "HJ"),
            _author("Braeuer", "R"),
            ET_AL,
        ],
        "journal": "Rheumatology International",
        "journal_abbreviation": "Rheumatol Int",
        "year": 2021,
        "volume": "41",
        "pages": "1273-1280",
    },
    "xu2021": {
        "doi": "10.3390/jcm10153289",
        "title": (
            "Prevalence Trend and Disparities in Rheumatoid Arthritis among US Adults, 2005-2018"
        ),
        "authors": [_author("Xu", "Y", "Yingke"), _author("Wu", "Q", "Qing")],
        "journal": "Journal of clinical medicine",
        "journal_abbreviation": "J Clin Med",
        "year": 2021,
        "publication_date": "2021-07-26",
        "volume": "10",
        "issue": "15",
        "pages": "3289",
    },
    "silverman1994": {
        "pmid": "7699642",
        "title": (
            "Intravenous immunoglobulin in the treatment of systemic juvenile rheumatoid "
            "arthritis: a randomized placebo controlled trial. Pediatric Rheumatology "
            "Collaborative Study Group"
        ),
        "authors": [_author("Silverman", "ED"), ET_AL],
        "journal": "The Journal of rheumatology",
        "journal_abbreviation": "J Rheumatol",
        "year": 1994,
        "volume": "21",
        "issue": "12",
        "pages": "2353-8",
        "publication_types": ["Randomized Controlled Trial"],
    },
    "muscat1995": {
        "doi": "10.1136/ard.54.5.382",
        "title": (
            "Long term treatment of rheumatoid arthritis with high doses of intravenous "
            "immunoglobulins: effects on disease activity and serum cytokines"
        ),
        "authors": [_author("Muscat", "C"), ET_AL],
        "journal": "Annals of the rheumatic diseases",
        "journal_abbreviation": "Ann Rheum Dis",
        "year": 1995,
        "volume": "54",
        "issue": "5",
        "pages": "382-5",
    },
    "maksymowych1996": {
        "pmid": "8978962",
        "title": (
            "High dose intravenous immunoglobulin (IVIg) in severe refractory rheumatoid "
            "arthritis: no evidence for efficacy"
        ),
        "authors": [_author("Maksymowych", "WP"), ET_AL],
        "journal": "Clinical and experimental rheumatology",
        "journal_abbreviation": "Clin Exp Rheumatol",
        "year": 1996,
        "volume": "14",
        "issue": "6",
        "pages": "657-60",
    },
    "katz_agranov2015": {
        "doi": "10.1016/j.autrev.2015.04.003",
        "title": "The role of intravenous immunoglobulins in the treatment of rheumatoid arthritis",
        "authors": [_author("Katz-Agranov", "N", "Nurit"), ET_AL],
        "journal": "Autoimmunity reviews",
        "journal_abbreviation": "Autoimmun Rev",
        "year": 2015,
        "volume": "14",
        "issue": "8",
        "pages": "651-8",
        "publication_types": ["Review"],
    },
    "halpert2021": {
        "doi": "10.1111/cei.13532",
        "title": (
            "IVIG ameliorate inflammation in collagen-induced arthritis: projection for IVIG "
            "therapy in rheumatoid arthritis"
        ),
        "authors": [_author("Halpert", "G"), ET_AL],
        "journal": "Clinical and experimental immunology",
        "journal_abbreviation": "Clin Exp Immunol",
        "year": 2021,
        "volume": "203",
        "issue": "3",
        "pages": "400-408",
    },
    "seeling2023": {
        "doi": "10.1016/j.immuni.2023.02.019",
        "title": (
            "Immunoglobulin G-dependent inhibition of inflammatory bone remodeling requires "
            "pattern recognition receptor Dectin-1"
        ),
        "authors": [_author("Seeling", "M", "Michaela"), ET_AL],
        "journal": "Immunity",
        "journal_abbreviation": "Immunity",
        "year": 2023,
        "volume": "56",
        "issue": "5",
        "pages": "1046-1063.e7",
    },
    "nba_criteria": {
        "title": (
            "Criteria for the Clinical Use of Intravenous Immunoglobulin in Australia "
            "– Second Edition"
        ),
        "authors": [{"collective": "National Blood Authority"}],
        "url": (
            "https://www.blood.gov.au/pubs/ivig/"
            "conditions-for-which-IVIg-use-is-not-supported.html#cdn-32"
        ),
        "publication_types": ["Guideline"],
    },
    # Lupus.
    "wenderfer2012": {
        "doi": "10.1155/2012/589359",
        "pmid": "23056926",
        "pmcid": "PMC3465901",
        "title": "Intravenous immunoglobulin in the management of lupus nephritis",
        "authors": [_author("Wenderfer", "SE", "Scott E"), _author("Thacker", "T", "Trisha")],
        "journal": "Autoimmune diseases",
        "journal_abbreviation": "Autoimmune Dis",
        "year": 2012,
        "volume": "2012",
        "pages": "589359",
        "publication_types": ["Review"],
    },
    "perricone2008": {
        "title": (
            "Intravenous immunoglobulin therapy in pregnant patients affected with systemic "
            "lupus erythematosus and recurrent spontaneous abortion"
        ),
        "journal": "Rheumatology (Oxford, England)",
        "journal_abbreviation": "Rheumatology (Oxford)",
        "year": 2008,
    },
    # Renal failure with sucrose-stabilised products.
    "sucrose_nephropathy": {
        "title": (
            "Reemergence of Sucrose Nephropathy: Acute Renal Failure Caused by High Dose "
            "Intravenous Immune Globulin Therapy"
        ),
    },
    "chapman2004": {
        "title": (
            "Acute renal failure and intravenous immune globulin: occurs with "
            "sucrose-stabilized, but not with D-sorbitol-stabilized, formulation"
        ),
        "authors": [
            _author("Chapman", "SA", "Scott A"),
            _author("Gilkerson", "KL", "Kristine L"),
            _author("Davin", "TD", "Thomas D"),
            _author("Pritzker", "MR", "Marc R"),
        ],
        "year": 2004,
        "publication_date": "2004-12",
    },
}

CONDITIONS: list[dict] = [
    {
        "slug": "rheumatoid-arthritis",
        "name": "Rheumatoid arthritis",
        "synonyms": ["RA"],
        "description": (
            "A long-term autoimmune disease in which the immune system turns on the lining "
            "of the joints, leaving them painful, swollen and stiff. Usual care combines "
            "NSAIDs and corticosteroids for symptoms with disease-modifying drugs: "
            "conventional ones such as methotrexate, leflunomide and hydroxychloroquine, "
            "biologics such as etanercept, infliximab and rituximab, and targeted synthetic "
            "agents such as baricitinib, tofacitinib and upadacitinib. Surgery is an option "
            "when medicines do not control the disease."
        ),
        "prevalence_note": "Roughly 1.3 million adults in the United States have the disease.",
        "prevalence_reference": "xu2021",
    },
    {
        "slug": "systemic-lupus-erythematosus",
        "name": "Systemic lupus erythematosus",
        "synonyms": ["SLE", "lupus"],
        "description": (
            "A chronic autoimmune disease that can inflame many organs, including the skin, "
            "joints, kidneys and blood. Standard treatment relies on immunosuppressive drugs "
            "such as mycophenolate and cyclophosphamide."
        ),
    },
    {
        "slug": "lupus-nephritis",
        "name": "Lupus nephritis",
        "synonyms": ["LN", "SLE nephritis"],
        "parent": "systemic-lupus-erythematosus",
        "description": (
            "Kidney inflammation caused by lupus, graded by biopsy into classes; classes IV "
            "and V are among the more serious forms."
        ),
    },
    {
        "slug": "lupus-pregnancy",
        "name": "Pregnancy in systemic lupus erythematosus",
        "synonyms": ["lupus pregnancy", "recurrent miscarriage in lupus"],
        "parent": "systemic-lupus-erythematosus",
        "description": (
            "Pregnancy in women with lupus, who face a higher risk of miscarriage and other "
            "complications than women without the disease."
        ),
    },
]

STUDIES: list[dict] = [
    {
        "reference": "silverman1994",
        "condition": "rheumatoid-arthritis",
        "outcome": "Disease activity",
        "design": "rct",
        "participants": 31,
        "population": "Children with active, treatment-resistant systemic juvenile arthritis",
        "dose_regimen": (
            "1.5 g/kg every 2 weeks for 2 months, then monthly for 4 months (up to 9 infusions)"
        ),
        "comparator": "Placebo (dilute albumin)",
        "follow_up": "6 months",
        "outcome_summary": (
            "IVIG did no better than placebo: the small gain seen on the physician's global "
            "rating was not statistically significant, and fever, joint counts and blood "
            "markers did not differ between groups. The trial enrolled too few children to "
            "be conclusive."
        ),
        "direction": "no_benefit",
        "risk_of_bias": "some_concerns",
    },
    {
        "reference": "muscat1995",
        "condition": "rheumatoid-arthritis",
        "outcome": "Symptoms and functional capacity",
        "design": "case_series",
        "participants": 10,
        "population": "Adults with active rheumatoid arthritis that had resisted treatment",
        "dose_regimen": "400 mg/kg daily for 3 days, then monthly infusions for 12 months",
        "comparator": "None (open study)",
        "follow_up": "12 months, assessed monthly",
        "outcome_summary": (
            "Monthly clinical and laboratory checks showed less active disease and better "
            "day-to-day function while patients received IVIG."
        ),
        "direction": "benefit",
        "risk_of_bias": "high",
    },
    {
        "reference": "maksymowych1996",
        "condition": "rheumatoid-arthritis",
        "outcome": "Clinical response",
        "design": "case_series",
        "participants": 4,
        "population": (
            "Adults with severe rheumatoid arthritis that had failed at least four "
            "second-line drugs"
        ),
        "dose_regimen": "1 g/kg daily for 2 days, once a month for 3 months",
        "comparator": "None (open study)",
        "follow_up": "4 months",
        "outcome_summary": (
            "No patient met the criteria for improvement, and the investigators stopped "
            "evaluating the treatment; they found nothing to suggest IVIG works in RA."
        ),
        "direction": "no_benefit",
        "risk_of_bias": "high",
    },
    {
        "reference": "katz_agranov2015",
        "condition": "rheumatoid-arthritis",
        "outcome": "Place of IVIG in RA treatment",
        "design": "narrative_review",
        "population": "Published studies of IVIG in rheumatoid arthritis",
        "outcome_summary": (
            "The authors see IVIG as a possible choice only for people who cannot take "
            "corticosteroids or the usual RA medicines, not as a routine treatment."
        ),
        "direction": "unclear",
    },
    {
        "reference": "halpert2021",
        "condition": "rheumatoid-arthritis",
        "outcome": "Joint inflammation",
        "design": "animal",
        "species": "mouse",
        "population": "Mice with collagen-induced arthritis",
        "outcome_summary": (
            "IVIG had a marked anti-inflammatory effect in this mouse model of arthritis, "
            "which the authors take as a reason to study it further in people with RA."
        ),
        "direction": "benefit",
    },
    {
        "reference": "seeling2023",
        "condition": "rheumatoid-arthritis",
        "outcome": "Inflammatory bone remodelling (mechanism)",
        "design": "in_vitro",
        "species": "experimental models",
        "population": "Laboratory models of inflammatory arthritis",
        "outcome_summary": (
            "IgG reduced inflammation-driven breakdown of bone and cartilage, and this "
            "protection depended on the innate immune receptor Dectin-1."
        ),
        "direction": "benefit",
    },
    {
        "reference": "wenderfer2012",
        "condition": "lupus-nephritis",
        "outcome": "Renal response in class IV and V nephritis",
        "design": "narrative_review",
        "population": "Published reports of IVIG in lupus nephritis",
        "outcome_summary": (
            "The reports reviewed describe patients with class IV and class V nephritis "
            "whose kidney disease improved on IVIG; the authors call the results "
            "provocative and ask for clinical trials."
        ),
        "direction": "benefit",
    },
    {
        "reference": "wenderfer2012",
        "condition": "lupus-nephritis",
        "outcome": "Renal response in milder nephritis",
        "design": "narrative_review",
        "population": "Published reports of IVIG in lupus nephritis",
        "outcome_summary": (
            "Patients whose kidneys were less badly affected also responded in the reports "
            "reviewed."
        ),
        "direction": "benefit",
    },
    {
        "reference": "perricone2008",
        "condition": "lupus-pregnancy",
        "outcome": "Successful pregnancy",
        "design": "non_randomised_trial",
        "participants": 24,
        "population": (
            "Pregnant women with lupus and a history of recurrent miscarriage (12 given IVIG)"
        ),
        "dose_regimen": "High-dose IVIG during pregnancy",
        "comparator": "Prednisolone and NSAIDs (12 women)",
        "outcome_summary": (
            "Every woman treated with IVIG carried her pregnancy through successfully, "
            "while 3 of the 12 women in the comparison group miscarried."
        ),
        "direction": "benefit",
        "risk_of_bias": "some_concerns",
        # Crude risk ratio of a successful pregnancy from the counts above (12/12 against
        # 9/12), with its 95% CI on the log scale; the paper's own statistics not recorded.
        "effect_measure": "RR",
        "effect_size": 1.33,
        "ci_lower": 0.96,
        "ci_upper": 1.85,
    },
]

VERDICTS: list[dict] = [
    {
        "condition": "rheumatoid-arthritis",
        "status": "investigational",
        "certainty": "low",
        "summary": (
            "IVIG is not an established treatment for rheumatoid arthritis. The human "
            "evidence is a handful of small studies from the 1990s that disagree: a "
            "placebo-controlled trial in children with systemic juvenile disease and an open "
            "study in four adults found no benefit, while an open study of ten adults with "
            "resistant disease reported better symptoms and function over a year of monthly "
            "infusions. Animal and laboratory work points to anti-inflammatory and "
            "bone-protecting effects, but no adequately sized trial has confirmed them. IVIG "
            "is not FDA-approved for RA and Australia's national criteria do not support it, "
            "so at most it is a last resort when proven treatments cannot be used."
        ),
        "key_takeaways": [
            "Treat IVIG for rheumatoid arthritis as investigational.",
            "Treatments with proven efficacy come first: corticosteroids, conventional and "
            "targeted DMARDs, and biologics.",
            "The trials so far do not show that IVIG works in RA; it is considered only when "
            "standard treatments have failed or cannot be taken.",
            "Large controlled trials would be needed before any benefit could be claimed.",
        ],
        "limitations": (
            "How IVIG might act in RA, which dose works best and what long-term use does are "
            "all unknown. IVIG is not FDA-approved for RA, and professional bodies, such as "
            "the authors of Australia's criteria for IVIG use, recommend other treatments. "
            "The clinical evidence comes from few, small and mostly uncontrolled studies."
        ),
        "mechanism_notes": (
            "A German group reported in 2023 that IgG limits the bone and cartilage "
            "destruction that inflammation causes in joints, and that this protection needs "
            "the innate immune receptor Dectin-1. A 2021 study in mice with collagen-induced "
            "arthritis also showed a strong anti-inflammatory effect. Neither finding has "
            "been tested in patients."
        ),
        "references": ["mulhearn2015", "kaestner2021", "xu2021"],
    },
    {
        "condition": "systemic-lupus-erythematosus",
        "status": "investigational",
        "certainty": "very_low",
        "summary": (
            "The case for IVIG in lupus rests on small, mostly uncontrolled studies and "
            "reviews. Reports in lupus nephritis and in pregnant women with lupus and "
            "previous miscarriages are encouraging, but few studies had a control group, "
            "most patients were also taking immunosuppressants such as mycophenolate or "
            "cyclophosphamide, whose effect can arrive late, and there is no agreed dose or "
            "schedule. IVIG remains investigational in SLE; its cost, limited supply and "
            "safety concerns, notably in IgA deficiency, argue for cautious use."
        ),
        "key_takeaways": [
            "IVIG is investigational in lupus; only large, well-designed controlled trials "
            "can settle its role.",
            "Most treated patients were also on standard immunosuppressants, which blurs "
            "what IVIG itself achieved.",
            "There is no agreed regimen: some studies favour high doses, others lower doses "
            "over a longer period, which are better tolerated.",
        ],
        "limitations": (
            "Few controlled studies; frequent co-treatment with immunosuppressants whose "
            "effect can be delayed; no consensus on dose or schedule."
        ),
        "references": ["wenderfer2012", "perricone2008"],
    },
    {
        "condition": "lupus-nephritis",
        "status": "investigational",
        "certainty": "very_low",
        "summary": (
            "A 2012 review of IVIG in lupus nephritis describes improvement in patients with "
            "class IV and class V disease and in milder kidney involvement. The reports "
            "behind it are small, mostly uncontrolled and often involve patients on other "
            "immunosuppressants, so how much IVIG itself contributed is uncertain; the "
            "reviewers call for clinical trials."
        ),
        "key_takeaways": [
            "Encouraging reports, but no adequate controlled trial.",
            "Co-treatment with other immunosuppressants makes the effect of IVIG hard to separate.",
        ],
        "limitations": "Evidence limited to case reports and small series summarised in a review.",
        "references": [],
    },
    {
        "condition": "lupus-pregnancy",
        "status": "investigational",
        "certainty": "very_low",
        "summary": (
            "In one small study of pregnant women with lupus and recurrent miscarriage, all "
            "twelve women given IVIG had a successful pregnancy, against nine of twelve in a "
            "group treated with prednisolone and NSAIDs. The study was small and not "
            "described as randomised, so the result needs confirming before IVIG can be "
            "recommended to prevent pregnancy loss in lupus."
        ),
        "key_takeaways": [
            "A single small comparative study reports successful pregnancies in every woman "
            "treated.",
            "Confirmation in a larger randomised trial is needed.",
        ],
        "limitations": "One small study; allocation to treatment groups not described as random.",
        "references": [],
    },
]

GUIDELINE_POSITIONS: list[dict] = [
    {
        "condition": "rheumatoid-arthritis",
        "issuing_body": "National Blood Authority (Australia)",
        "document": "Criteria for the clinical use of intravenous immunoglobulin in Australia, "
        "second edition",
        "position": "not_supported",
        "summary": (
            "Lists rheumatoid arthritis among the conditions for which IVIG is not supported "
            "and points to other treatments."
        ),
        "reference": "nba_criteria",
    },
]

REGULATORY_STATUSES: list[dict] = [
    {
        "condition": "rheumatoid-arthritis",
        "agency": "FDA",
        "status": "not_approved",
        "notes": "IVIG has no FDA approval for rheumatoid arthritis.",
    },
]

ADVERSE_EFFECTS: list[dict] = [
    {
        "name": "Anaphylaxis",
        "frequency": "rare",
        "frequency_note": "IgA deficiency, the main risk factor, affects about 1 in 700 people.",
        "severity": "life_threatening",
        "risk_factors": "IgA deficiency with anti-IgA antibodies",
        "notes": (
            "The reaction is to the traces of IgA that remain in every product, not to the "
            "IgG itself; purification cannot yet remove IgA completely."
        ),
        "references": [],
    },
    {
        "name": "Acute renal failure",
        "frequency": "unknown",
        "frequency_note": (
            "About 90% fewer cases when the product is not stabilised with sucrose."
        ),
        "severity": "serious",
        "risk_factors": "Sucrose-stabilised products; high doses",
        "notes": (
            "Kidney biopsies linked most cases to the sugar used to stabilise the solution. "
            "Choosing a product that is not stabilised with sucrose greatly lowers the risk."
        ),
        "references": ["sucrose_nephropathy", "chapman2004"],
    },
    {"name": "Headache", "severity": "mild", "references": []},
    {"name": "Nausea", "severity": "mild", "references": []},
    {"name": "Seizures", "severity": "serious", "references": []},
]

CONTRAINDICATIONS: list[dict] = [
    {
        "name": "IgA deficiency with anti-IgA antibodies",
        "kind": "absolute",
        "reason": (
            "All IVIG products still carry traces of IgA. People who lack IgA and have made "
            "antibodies against it can react to those traces with anaphylaxis."
        ),
        "references": [],
    },
]

FORMULATIONS: list[dict] = [
    {
        "brand": "Carimune NF",
        "manufacturer": "CSL Behring",
        "stabiliser": "sucrose",
        "route": "intravenous",
        "notes": (
            "Freeze-dried product stabilised with sucrose; sucrose-containing products carry "
            "the highest risk of IVIG-related kidney failure."
        ),
    },
    {
        "brand": "Privigen",
        "manufacturer": "CSL Behring",
        "stabiliser": "proline",
        "route": "intravenous",
        "notes": "Ready-to-use 10% liquid stabilised with L-proline; contains no sucrose.",
    },
    {
        "brand": "Gamunex-C",
        "manufacturer": "Grifols",
        "stabiliser": "glycine",
        "route": "intravenous",
        "notes": "Ready-to-use 10% liquid stabilised with glycine; contains no sucrose.",
    },
    {
        "brand": "Hizentra",
        "manufacturer": "CSL Behring",
        "stabiliser": "proline",
        "route": "subcutaneous",
        "notes": "20% liquid given under the skin, stabilised with L-proline.",
    },
]

# PubMed queries kept per pair (SavedSearch); the daily task runs them for new records.
_IVIG_TERM = '("immunoglobulins, intravenous"[MeSH Terms] OR IVIG)'

SAVED_SEARCHES: list[dict] = [
    {
        "condition": "rheumatoid-arthritis",
        "query": f'{_IVIG_TERM} AND "arthritis, rheumatoid"[MeSH Terms]',
    },
    {
        "condition": "systemic-lupus-erythematosus",
        "query": f'{_IVIG_TERM} AND "lupus erythematosus, systemic"[MeSH Terms]',
    },
    {
        "condition": "lupus-nephritis",
        "query": f'{_IVIG_TERM} AND "lupus nephritis"[MeSH Terms]',
    },
    {
        "condition": "lupus-pregnancy",
        "query": (
            f'{_IVIG_TERM} AND "lupus erythematosus, systemic"[MeSH Terms] '
            'AND "pregnancy"[MeSH Terms]'
        ),
    },
]

# GRADE summary of findings per verdict (OutcomeFinding), in our words from the studies
# above. Certainty starts high for randomised trials and low for other designs, and each
# serious concern rates it down one level (very serious: two).
OUTCOME_FINDINGS: list[dict] = [
    {
        "condition": "rheumatoid-arthritis",
        "outcome": "Disease activity",
        "importance": "critical",
        "position": 0,
        "studies_count": 1,
        "participants": 31,
        "absolute_effect": (
            "No significant difference from placebo: physician's global rating, fever, "
            "joint counts and blood markers were similar in both groups"
        ),
        "certainty": "very_low",
        "risk_of_bias": "serious",
        "indirectness": "serious",
        "imprecision": "very_serious",
        "comment": (
            "One placebo-controlled trial, in children with systemic juvenile arthritis rather "
            "than adults with RA, with some concerns about bias; far too few children to rule "
            "a benefit in or out."
        ),
    },
    {
        "condition": "rheumatoid-arthritis",
        "outcome": "Symptoms and physical function",
        "importance": "critical",
        "position": 1,
        "studies_count": 2,
        "participants": 14,
        "absolute_effect": (
            "Not comparable: 10 adults in one series had less active disease and better "
            "function over a year; none of 4 adults in another met the criteria for improvement"
        ),
        "certainty": "very_low",
        "risk_of_bias": "very_serious",
        "inconsistency": "serious",
        "imprecision": "very_serious",
        "comment": "Two small open case series with no comparison group, pointing in opposite "
        "directions.",
    },
    {
        "condition": "lupus-nephritis",
        "outcome": "Renal response, class IV and V nephritis",
        "importance": "critical",
        "position": 0,
        "studies_count": 1,
        "absolute_effect": (
            "Kidney disease improved in the patients reported; no comparison group, so no "
            "effect size"
        ),
        "certainty": "very_low",
        "risk_of_bias": "very_serious",
        "indirectness": "serious",
        "imprecision": "serious",
        "publication_bias": "serious",
        "comment": (
            "Case reports and small series gathered in one 2012 review. Many patients were "
            "also taking immunosuppressants, and favourable case reports are the likelier to "
            "be published."
        ),
    },
    {
        "condition": "lupus-nephritis",
        "outcome": "Renal response, milder nephritis",
        "importance": "important",
        "position": 1,
        "studies_count": 1,
        "absolute_effect": "Responses reported; no comparison group, so no effect size",
        "certainty": "very_low",
        "risk_of_bias": "very_serious",
        "indirectness": "serious",
        "imprecision": "serious",
        "publication_bias": "serious",
        "comment": "From the same review, on patients whose kidneys were less badly affected.",
    },
    {
        "condition": "lupus-pregnancy",
        "outcome": "Successful pregnancy",
        "importance": "critical",
        "position": 0,
        "studies_count": 1,
        "participants": 24,
        "relative_effect": "RR 1.33 (95% CI 0.96 to 1.85)",
        "absolute_effect": (
            "12 of 12 with IVIG against 9 of 12 with prednisolone and NSAIDs: 250 more "
            "successful pregnancies per 1,000"
        ),
        "certainty": "very_low",
        "risk_of_bias": "serious",
        "imprecision": "very_serious",
        "comment": (
            "One small comparison in which women were not described as randomly allocated; "
            "the confidence interval includes no effect."
        ),
    },
]
