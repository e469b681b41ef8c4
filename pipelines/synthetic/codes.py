"""Code lists fixed by extracts.md. Names and spellings here are the contract."""

OFFENCE_GROUPS = (
    "Burglary",
    "Violence Against the Person",
    "Robbery",
    "Sexual Offences",
    "Theft",
    "Criminal Damage and Arson",
    "Public Order Offences",
    "Other",
)
VIOLENT_OR_SEXUAL = ("Violence Against the Person", "Sexual Offences")

ETHNICITY_CODES = (
    "W1", "W2", "W9", "M1", "M2", "M3", "M9", "A1", "A2", "A3", "A9", "B1", "B2", "B9", "O1", "O9", "NS",
)
GENDERS = ("M", "F", "X", "U")
SUPPORT_CONSENT = ("Y", "N", "Not asked")
YES_NO = ("Y", "N")

OUTCOME_CODES = tuple(range(1, 23))
CHARGE = 1

USS_MODES = ("Telephone", "Online")
USS_CRIME_TYPES = ("Residential burglary", "Assault", "Personal robbery", "Hate crime")
USS_QUESTIONS = ("q_ease_of_contact", "q_actions_taken", "q_kept_informed", "q_treatment", "q_overall")
USS_SATISFIED = ("Completely satisfied", "Very satisfied", "Fairly satisfied")
USS_VALID_ANSWERS = USS_SATISFIED + (
    "Neither satisfied nor dissatisfied",
    "Fairly dissatisfied",
    "Very dissatisfied",
    "Completely dissatisfied",
)
USS_OTHER_ANSWERS = ("Don't know", "Refused")
USS_WHITE = "White"
USS_STATED_NON_WHITE = (
    "Mixed or multiple",
    "Asian or Asian British",
    "Black, Black British, Caribbean or African",
    "Other ethnic group",
)
USS_ETHNIC_GROUPS = (USS_WHITE,) + USS_STATED_NON_WHITE + ("Prefer not to say",)
USS_AGE_BANDS = ("16-24", "25-34", "35-44", "45-54", "55-64", "65+")
USS_DISABILITY = ("Yes", "No", "Prefer not to say")

COURT_TYPES = ("Magistrates", "Crown")
HEARING_TYPES = ("First hearing", "Plea and trial preparation", "Trial", "Sentence", "Other")
TRIAL_OUTCOMES = ("Effective", "Cracked", "Ineffective", "Vacated")
COUNTED_TRIAL_OUTCOMES = ("Effective", "Cracked", "Ineffective")
WITNESS_REASONS = ("Prosecution witness absent", "Prosecution witness withdrew", "Victim absent", "Victim withdrew")
OUTCOME_REASONS = WITNESS_REASONS + (
    "Defence witness absent",
    "Defendant absent",
    "Defendant ill",
    "Late guilty plea",
    "Prosecution offered no evidence",
    "Prosecution not ready",
    "Defence not ready",
    "Lack of court time",
    "Interpreter not available",
    "Other",
)
VICTIM_ATTENDED = ("Y", "N", "NA")
VERDICTS = ("Guilty", "Not guilty")
SENTENCE_TYPES = ("Immediate custody", "Suspended sentence", "Community order", "Fine", "Discharge", "Other")
CUSTODIAL_SENTENCES = ("Immediate custody", "Suspended sentence")

HUB_SOURCES = ("Police", "Self-referral", "Victim Support", "GP or health", "Housing", "School", "Other")
HUB_REPORTED = ("Yes", "No", "Unknown")
HUB_TRIAGE = (
    "Support provided by hub",
    "Referred to restorative justice",
    "Referred to specialist service",
    "No further action",
    "Unable to contact",
)
HUB_TRIAGE_RJ = "Referred to restorative justice"

RJ_SOURCES = (
    "Police", "Youth Offending Team", "Probation", "Prison", "Victim Care Hub", "Victim Support", "Court",
    "Self-referral", "Other",
)
RJ_STAGES = (
    "Out of court", "Pre-sentence", "Post-sentence (community)", "Post-sentence (custody)", "Not reported to police",
)
RJ_ASSESSMENT = ("Suitable", "Not suitable")
RJ_CONSENT = ("Yes", "No", "Withdrawn", "Pending")
RJ_INTERVENTIONS = ("Direct conference", "Indirect - letter", "Indirect - shuttle", "Indirect - video")
RJ_STATUS = ("Open", "Closed")
RJ_CLOSURE_REASONS = ("Completed", "Victim withdrew", "Offender withdrew", "Not suitable", "Unable to contact", "Other")
YES_NO_WORDS = ("Yes", "No")
