"""Word lists for the synthetic literature: plain data, no randomness and no Django.

Author names, journals, title and abstract phrasing, outcomes, populations and doses,
combined by devtools.corpus.text into titles, abstracts and author lists that search
(stemming, trigram typos, author names) treats like real records.
"""

GIVEN_NAMES = [
    "Anna",
    "Ben",
    "Chiara",
    "David",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ingrid",
    "Jonas",
    "Kavya",
    "Liam",
    "Maria",
    "Nikolai",
    "Olga",
    "Pedro",
    "Qing",
    "Rosa",
    "Samir",
    "Tomasz",
    "Ursula",
    "Vikram",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zofia",
    "Ahmed",
    "Beatriz",
    "Chen",
    "Dmitri",
    "Emeka",
    "Fatima",
    "Giulia",
    "Hannah",
    "Ivan",
    "Julia",
    "Kenji",
    "Leila",
]

FAMILY_ROOTS = [
    "Anders",
    "Bauer",
    "Castel",
    "Dalen",
    "Eriks",
    "Ferr",
    "Gunnar",
    "Hartman",
    "Iver",
    "Jansen",
    "Kowal",
    "Lind",
    "Moreau",
    "Nakam",
    "Okon",
    "Petrov",
    "Quint",
    "Rossi",
    "Sato",
    "Tanaka",
    "Ueda",
    "Varga",
    "Weber",
    "Xu",
    "Yamam",
    "Zhang",
    "Abadi",
    "Brenn",
    "Costa",
    "Dubois",
    "Esposit",
    "Fischer",
    "Garcia",
    "Hoffm",
    "Ibrah",
    "Jovan",
    "Kim",
    "Larsen",
    "Müll",
    "Novak",
    "Oliveir",
    "Park",
    "Rahm",
    "Silva",
    "Tomas",
    "Wojcik",
]
FAMILY_ENDINGS = [
    "",
    "son",
    "sen",
    "er",
    "i",
    "o",
    "a",
    "ová",
    "ski",
    "ura",
    "ini",
    "ez",
    "ova",
    "berg",
    "ström",
    "ides",
    "oglu",
    "ic",
    "ani",
    "en",
    "es",
    "ier",
]

COLLECTIVE_AUTHORS = [
    "Collaborative Study Group",
    "Investigators of the Multicentre Registry",
    "Trial Steering Committee",
    "Working Group on Rare Immune Diseases",
]

# (journal, abbreviation)
JOURNALS = [
    ("Annals of Clinical Immunology", "Ann Clin Immunol"),
    ("Journal of Rheumatic Therapeutics", "J Rheum Ther"),
    ("Clinical Nephrology Research", "Clin Nephrol Res"),
    ("European Journal of Inflammation", "Eur J Inflamm"),
    ("Neurology and Neuroimmunology", "Neurol Neuroimmunol"),
    ("International Journal of Dermatological Science", "Int J Dermatol Sci"),
    ("Transfusion and Plasma Medicine", "Transfus Plasma Med"),
    ("Paediatric Immunology Reports", "Paediatr Immunol Rep"),
    ("Journal of Autoimmune Disease", "J Autoimmune Dis"),
    ("Therapeutic Advances in Immunomodulation", "Ther Adv Immunomodul"),
    ("Cochrane-style Evidence Reviews", "Evid Rev"),
    ("Clinical Trials in Inflammatory Disease", "Clin Trials Inflamm Dis"),
    ("Journal of Pharmacology and Immunotherapy", "J Pharmacol Immunother"),
    ("Archives of Internal Medicine Research", "Arch Intern Med Res"),
    ("Scandinavian Journal of Clinical Rheumatology", "Scand J Clin Rheumatol"),
    ("Asian Pacific Journal of Allergy and Immunology", "Asian Pac J Allergy Immunol"),
]

DESIGN_TITLE_PHRASES = {
    "rct": "a randomised, double-blind, placebo-controlled trial",
    "non_randomised_trial": "an open-label controlled trial",
    "cohort": "a prospective multicentre cohort study",
    "case_control": "a population-based case-control study",
    "case_series": "a retrospective case series",
    "case_report": "a case report and review of the literature",
    "animal": "evidence from a murine model",
    "in_vitro": "mechanistic studies in primary human cells",
    "systematic_review": "a systematic review",
    "meta_analysis": "a systematic review and meta-analysis",
    "narrative_review": "a narrative review",
    "guideline": "a consensus guideline",
}

TITLE_OPENINGS = [
    "Efficacy and safety of {therapy} in {condition}",
    "Long-term outcomes of {therapy} treatment for {condition}",
    "{therapy} versus standard care for {condition}",
    "High-dose {therapy} in patients with {condition}",
    "Effect of {therapy} on disease activity and {outcome_lower} in {condition}",
    "{therapy} for {condition}: dose, duration and {outcome_lower}",
    "Early {therapy} and {outcome_lower} in {condition}",
]

OUTCOMES = [
    "Disease activity",
    "Remission",
    "Relapse rate",
    "Pain",
    "Fatigue",
    "Quality of life",
    "Mortality",
    "Hospitalisation",
    "Serious infections",
    "Renal function",
    "Proteinuria",
    "Muscle strength",
    "Skin score",
    "Steroid-sparing effect",
    "Functional disability",
    "Radiographic progression",
    "Time to relapse",
    "Complete response",
    "Biomarker response",
]

POPULATIONS = [
    "adults with active disease despite conventional therapy",
    "children and adolescents",
    "women of child-bearing age",
    "patients over 65 years",
    "treatment-naive patients",
    "patients refractory to two prior agents",
    "hospitalised patients",
    "outpatients in tertiary referral centres",
]

DOSES = [
    "{d} mg/kg every 4 weeks",
    "{d} mg once daily",
    "{d} mg twice daily",
    "{d} mg subcutaneously every 2 weeks",
    "{d} g/kg over 2-5 days, repeated monthly",
    "{d} mg intravenously at weeks 0, 2 and 6",
    "{d} mg weekly for 12 weeks",
]

COMPARATORS = ["placebo", "standard care", "methotrexate", "corticosteroids alone", "no treatment"]
FOLLOW_UPS = ["12 weeks", "24 weeks", "6 months", "12 months", "2 years", "5 years"]

# Filler vocabulary for abstracts: everyday clinical-research words.
ABSTRACT_WORDS = (
    "patients treatment response outcome primary secondary endpoint baseline week month "
    "year dose group placebo control randomised cohort analysis significant improvement "
    "reduction increase adverse events serious infection safety tolerability efficacy "
    "clinical trial study participants enrolled received compared observed reported "
    "median mean interval confidence ratio hazard odds risk difference score index "
    "activity remission relapse flare biomarker serum levels antibodies cytokines "
    "inflammatory markers quality life function disability mortality hospitalisation "
    "follow-up discontinuation withdrawal protocol registry multicentre prospective "
    "retrospective sensitivity subgroup heterogeneity evidence certainty limitations bias "
    "sample size power imputation missing data per-protocol intention-to-treat"
).split()

ABSTRACT_SECTIONS = ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"]
