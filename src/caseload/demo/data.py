"""The demo organisation, as data: programs, staff, clients and the plan library they draw on.

Harbor Care Partners is an invented care management agency in the Boston area. Every name is
invented. Dates are not stored here: they are days relative to the day the demo is seeded, so the
demo stays fresh (see ``caseload.demo.seed``). The product's "week at a care management
organisation" is written into it: Maya's Monday, Daniel's co-sign queue, Tomás's quiet clients,
Aisha's safety flag, Mr. Haddad's Friday discharge and Mrs. Baptiste's meals follow-up.
"""

from __future__ import annotations

from dataclasses import dataclass

from caseload.careplans.models import ExpressedBy
from caseload.clients.models import FlagKind, Relationship
from caseload.enrolments.models import Acuity, DischargeReason, EnrolmentStatus, ProgramKind
from caseload.staff.models import CareerLevel
from caseload.tasks.models import Priority

ORGANISATION = "Harbor Care Partners"
# Shared by every demo account; refused outside DEBUG (see the seed_demo command).
DEMO_PASSWORD = "caseload-demo-2026"  # noqa: S105 - documented demo password, DEBUG only
# The username whose presence means the demo organisation has been seeded.
MARKER_USERNAME = "maya"
MRN_PREFIX = "DEMO-"
EMAIL_DOMAIN = "harbor-care.example.org"


@dataclass(frozen=True)
class ProgramSpec:
    code: str
    name: str
    kind: str
    description: str


@dataclass(frozen=True)
class StaffSpec:
    username: str
    first_name: str
    last_name: str
    career_level: str  # a CareerLevel, or "" for the administrator
    job_title: str
    look_at: str  # what this sign-in shows in the demo
    programs: tuple[str, ...] = ()
    supervisor: str | None = None
    languages: str = "English"
    administrator: bool = False
    privacy_officer: bool = False


@dataclass(frozen=True)
class InterventionSpec:
    description: str
    responsible: str
    frequency: str


@dataclass(frozen=True)
class GoalSpec:
    description: str  # "{date}" is replaced by the target date
    measure: str
    target_value: str
    days: int  # target date: this many days after the plan was written
    expressed_by: str
    interventions: tuple[InterventionSpec, ...]


@dataclass(frozen=True)
class ProblemSpec:
    description: str
    detail: str
    goals: tuple[GoalSpec, ...]


@dataclass(frozen=True)
class RelatedSpec:
    name: str
    relationship: str
    updates: bool = False  # the client agreed this person may receive updates
    caregiver: bool = False  # primary caregiver
    notes: str = ""


@dataclass(frozen=True)
class TaskSpec:
    title: str
    due: int  # days from today; negative is overdue
    priority: int = Priority.NORMAL
    done: bool = False
    description: str = ""
    on_review_date: bool = False  # due on the care plan's review date instead of ``due``
    goal_of: str = ""  # a PROBLEMS key: the task is about that problem's first goal


@dataclass(frozen=True)
class FlagSpec:
    kind: str
    description: str
    raised: int  # days ago
    resolved: int | None = None  # days ago; None while the flag is active
    resolution: str = ""


@dataclass(frozen=True)
class EnrolmentSpec:
    program: str
    care_manager: str
    problems: tuple[str, ...]  # keys of PROBLEMS; the care plan is written from them
    started: int  # days ago the enrolment became active (it was referred a few days earlier)
    acuity: int = Acuity.MODERATE
    status: str = EnrolmentStatus.ACTIVE
    referral_source: str = ""
    ended: int | None = None  # days ago, for discharged episodes
    discharge_reason: str = ""
    discharge_note: str = ""
    contacts: int = 6  # the most contact notes in the enrolment's history (after intake)


@dataclass(frozen=True)
class ClientSpec:
    key: str
    given_name: str
    family_name: str
    sex: str
    age: int
    city: str
    enrolments: tuple[EnrolmentSpec, ...]
    related: tuple[RelatedSpec, ...] = ()
    language: str = "English"
    interpreter: bool = False
    preferred_name: str = ""
    what_matters: str = ""
    gender_identity: str = ""
    pronouns: str = ""
    last_reached: int | None = None  # days since the last contact; None: chosen at random
    # None: one or two drawn from the program's task pool; () for none at all.
    tasks: tuple[TaskSpec, ...] | None = None
    flags: tuple[FlagSpec, ...] = ()


# The tables below are laid out by hand, one record to a few lines, so a reader can scan them;
# the formatter would stretch each record over a dozen lines.
# fmt: off

# --- Programs ----------------------------------------------------------------------------------

GERIATRIC = "geriatric"
BEHAVIOURAL = "behavioural-health"
CHRONIC = "chronic-disease"
PEDIATRIC = "pediatric"
TRANSITIONAL = "transitional"

PROGRAMS: tuple[ProgramSpec, ...] = (
    ProgramSpec(
        GERIATRIC,
        "Geriatric care management",
        ProgramKind.GERIATRIC,
        "Older adults living at home: falls, memory, medicines, caregiver support and planning "
        "ahead.",
    ),
    ProgramSpec(
        BEHAVIOURAL,
        "Behavioural health (collaborative care)",
        ProgramKind.BEHAVIOURAL,
        "Depression and anxiety treated in primary care: a registry, PHQ-9 and GAD-7 every "
        "contact, weekly case review with the consulting psychiatrist.",
    ),
    ProgramSpec(
        CHRONIC,
        "Chronic disease management",
        ProgramKind.CHRONIC,
        "Two or more chronic conditions (diabetes, heart failure, COPD, high blood pressure): "
        "monthly care management with a care plan on file.",
    ),
    ProgramSpec(
        PEDIATRIC,
        "Pediatric complex care",
        ProgramKind.PEDIATRIC,
        "Children with complex medical needs and their families: school, equipment, specialists "
        "and respite.",
    ),
    ProgramSpec(
        TRANSITIONAL,
        "Transitional care",
        ProgramKind.TRANSITIONAL,
        "The 30 days after a hospital discharge: contact within 2 business days, a visit within "
        "7 or 14 days, medicines reconciled.",
    ),
)

# --- Staff -------------------------------------------------------------------------------------

J, CM, SR, DIR = (
    CareerLevel.JUNIOR,
    CareerLevel.CARE_MANAGER,
    CareerLevel.SENIOR,
    CareerLevel.DIRECTOR,
)

STAFF: tuple[StaffSpec, ...] = (
    StaffSpec(
        "grace", "Grace", "Adeyemi", DIR, "Director of care management",
        "Every program and every case; the month's figures",
        programs=(GERIATRIC, BEHAVIOURAL, CHRONIC, PEDIATRIC, TRANSITIONAL),
    ),
    StaffSpec(
        "sam", "Sam", "Novak", "", "IT administrator",
        "Users, programs and settings; no client records",
        administrator=True,
    ),
    StaffSpec(
        "li", "Li", "Wei", "", "Privacy officer",
        "Audit search, a client's access report, Kim's 2 a.m. break-the-glass access to review",
        privacy_officer=True,
    ),
    StaffSpec(
        "priya", "Priya", "Raman", SR, "Senior care manager, geriatric care",
        "Every geriatric case; assigning and reassigning",
        programs=(GERIATRIC,), supervisor="grace", languages="English, Tamil",
    ),
    StaffSpec(
        "marcus", "Marcus", "Bell", SR, "Senior care manager, behavioural health",
        "The collaborative care caseload",
        programs=(BEHAVIOURAL,), supervisor="grace",
    ),
    StaffSpec(
        "rosa", "Rosa", "Delgado", SR, "Senior care manager, chronic disease",
        "Every chronic disease case, including Tomás's (bulk reassignment)",
        programs=(CHRONIC,), supervisor="grace", languages="English, Spanish",
    ),
    StaffSpec(
        "hannah", "Hannah", "Cho", SR, "Senior care manager, pediatric complex care",
        "Every pediatric case: children and their parents or guardians",
        programs=(PEDIATRIC,), supervisor="grace", languages="English, Korean",
    ),
    StaffSpec(
        "farid", "Farid", "Haidari", SR, "Senior care manager, transitional care",
        "Every transitional care episode",
        programs=(TRANSITIONAL,), supervisor="grace", languages="English, Dari, Farsi",
    ),
    StaffSpec(
        "daniel", "Daniel", "Mensah", CM, "Care manager",
        "Co-sign queue: Maya's and Tomás's notes and care plans; switch to their caseloads",
        programs=(GERIATRIC, CHRONIC), supervisor="priya", languages="English, Twi",
    ),
    StaffSpec(
        "aisha", "Aisha", "Farah", CM, "Care manager, behavioural health",
        "A client with an active safety flag and an urgent task due today",
        programs=(BEHAVIOURAL,), supervisor="marcus", languages="English, Somali",
    ),
    StaffSpec(
        "kim", "Kim", "Nguyen", CM, "Care manager, transitional care",
        "Mr. Haddad, discharged on Friday; Mrs. Baptiste's meals referral",
        programs=(TRANSITIONAL,), supervisor="farid", languages="English, Vietnamese",
    ),
    StaffSpec(
        "lucia", "Lucía", "Ferreira", CM, "Care manager, pediatric complex care",
        "Children's care plans written with their parents",
        programs=(PEDIATRIC,), supervisor="hannah", languages="English, Spanish, Portuguese",
    ),
    StaffSpec(
        "maya", "Maya", "Robinson", J, "Junior care manager, geriatric care",
        "Monday morning: overdue review, a client not reached in 19 days, 3 overdue tasks, "
        "a new client",
        programs=(GERIATRIC,), supervisor="daniel",
    ),
    StaffSpec(
        "tomas", "Tomás", "Herrera", J, "Junior care manager, chronic disease",
        "A care plan awaiting co-sign; three clients with no contact for a month",
        programs=(CHRONIC,), supervisor="daniel", languages="English, Spanish",
    ),
)

# --- The plan library: problem → measurable goals → interventions (who, how often) --------------

I = InterventionSpec  # noqa: E741 - short names keep the library readable
G = GoalSpec
P = ProblemSpec
CLIENT, FAMILY, CLINICIAN = ExpressedBy.CLIENT, ExpressedBy.FAMILY, ExpressedBy.CLINICIAN

_READMISSION_GOAL = G(
    "No readmission within 30 days of discharge (by {date})",
    "Hospital readmissions", "0", 30, CLINICIAN,
    (
        I("Interactive contact within 2 business days of discharge", "Care manager", "Once"),
        I(
            "Face-to-face visit with medication reconciliation",
            "Care manager with the primary care physician", "Once, within 7 days of discharge",
        ),
        I(
            "Follow-up appointment with the specialist, transport booked",
            "Care manager", "Once, within 14 days",
        ),
    ),
)


def _discharge(description: str, detail: str) -> ProblemSpec:
    return P(description, detail, (_READMISSION_GOAL,))


PROBLEMS: dict[str, ProblemSpec] = {
    # Geriatric care management
    "falls": P(
        "Risk of falls: two falls at home in the last six months",
        "STEADI score 6. Uses a cane outdoors, nothing indoors. No grab bars in the bathroom.",
        (
            G(
                "No falls in the next 3 months", "Falls reported by client or family", "0", 90,
                CLIENT,
                (
                    I(
                        "Home safety assessment; grab bars and a shower chair installed",
                        "Occupational therapist, Harbor Visiting Nurses", "Once, within 2 weeks",
                    ),
                    I(
                        "Strength and balance class (A Matter of Balance)",
                        "Client, at the senior centre", "Twice a week",
                    ),
                    I("Ask about falls and near-falls", "Care manager", "Every contact"),
                ),
            ),
        ),
    ),
    "medicines": P(
        "Medication adherence: misses evening doses of heart and blood-pressure medicines",
        "Nine daily medicines, bottles kept in two rooms; two pharmacies.",
        (
            G(
                "Takes every prescribed dose on at least 6 of 7 days",
                "Days a week with all doses taken (pill organiser check)", "6 of 7 days", 60,
                CLIENT,
                (
                    I(
                        "Blister packs and synchronised refills from one pharmacy",
                        "Care manager with the community pharmacy", "Monthly",
                    ),
                    I("Fill and check the weekly pill organiser", "Family caregiver", "Weekly"),
                ),
            ),
        ),
    ),
    "caregiver": P(
        "Caregiver burnout: spouse gives nearly all personal care alone",
        "Caregiver sleeps badly and has missed her own appointments twice this month.",
        (
            G(
                "Caregiver has at least 4 hours of respite a week", "Respite hours a week",
                "4 or more", 60, FAMILY,
                (
                    I(
                        "Adult day programme on Tuesdays and Thursdays",
                        "Care manager to refer; Bayview Adult Day Health", "Twice a week",
                    ),
                    I("Caregiver support group", "Spouse", "Monthly"),
                ),
            ),
        ),
    ),
    "isolation": P(
        "Social isolation: lives alone and rarely leaves the apartment",
        "Husband died last year; daughter lives two hours away.",
        (
            G(
                "Leaves home for a social activity at least once a week", "Outings a week",
                "1 or more", 90, CLIENT,
                (
                    I("Friendly-visitor volunteer", "Senior centre volunteer programme", "Weekly"),
                    I(
                        "Door-to-door transport to the senior centre lunch",
                        "Care manager to arrange", "Once, then as needed",
                    ),
                ),
            ),
        ),
    ),
    "memory": P(
        "Memory concerns: Mini-Cog 2, repeating questions, unpaid bills",
        "Family noticed changes over the past year; no evaluation yet.",
        (
            G(
                "Memory evaluation with neurology completed by {date}", "Evaluation completed",
                "Yes", 60, CLINICIAN,
                (
                    I(
                        "Referral to the memory clinic; appointment with family present",
                        "Care manager", "Once",
                    ),
                    I(
                        "Automatic payment of utility bills",
                        "Daughter (healthcare power of attorney)", "Once",
                    ),
                ),
            ),
        ),
    ),
    "advance": P(
        "Advance care planning: no healthcare proxy or written wishes",
        "Has said she does not want to go back to hospital; family not aware.",
        (
            G(
                "Healthcare proxy and MOLST on file by {date}", "Documents on file",
                "Both on file", 45, CLIENT,
                (
                    I(
                        "Goals-of-care conversation with client and family",
                        "Care manager with the primary care physician",
                        "Once, then at each plan review",
                    ),
                ),
            ),
        ),
    ),
    # Chronic disease management
    "diabetes": P(
        "Type 2 diabetes not at goal: A1c 9.6% in the last quarter",
        "On metformin and basal insulin; checks glucose about twice a week.",
        (
            G(
                "A1c below 8% by {date}", "HbA1c", "below 8%", 120, CLINICIAN,
                (
                    I(
                        "Diabetes self-management education classes",
                        "Certified diabetes educator, Elm Street Health Center",
                        "Weekly for 6 weeks",
                    ),
                    I(
                        "Review glucose log and insulin doses by phone", "Care manager",
                        "Every 2 weeks",
                    ),
                ),
            ),
            G(
                "Checks blood sugar every morning", "Mornings a week with a reading",
                "7 of 7", 30, CLIENT,
                (I("Glucose meter supplies and log book", "Care manager to order", "Once"),),
            ),
        ),
    ),
    "chf": P(
        "Heart failure: two hospital stays for fluid overload this year",
        "Ejection fraction 30%. Finds the low-salt diet hard; eats out often.",
        (
            G(
                "No heart-failure hospital stays in the next 6 months",
                "Heart-failure admissions", "0", 180, CLINICIAN,
                (
                    I(
                        "Call the care manager if weight is up 2 lb in a day or 5 lb in a week",
                        "Client", "Daily weight",
                    ),
                    I("Low-salt diet teaching with teach-back", "Care manager", "Monthly"),
                    I("Cardiology follow-up", "Cardiologist, Harbor Heart Clinic",
                      "Every 3 months"),
                ),
            ),
            G(
                "Weighs self every morning and writes it down", "Mornings a week with weight",
                "7 of 7", 30, CLIENT,
                (I("Scale and weight log delivered", "Care manager", "Once"),),
            ),
        ),
    ),
    "hypertension": P(
        "High blood pressure: home readings around 160/95",
        "Stops amlodipine when feeling well.",
        (
            G(
                "Blood pressure below 140/90 on three readings in a row by {date}",
                "Home blood pressure", "below 140/90", 90, CLINICIAN,
                (
                    I("Home blood-pressure cuff and reading log", "Client",
                      "Twice a day for 2 weeks, then daily"),
                    I("Medication review", "Clinical pharmacist", "Once"),
                ),
            ),
        ),
    ),
    "copd": P(
        "COPD: short of breath after one block, uses the rescue inhaler every day",
        "Quit smoking two years ago. Oxygen at night.",
        (
            G(
                "Walks to the mailbox and back without stopping by {date}",
                "Walks to the mailbox without resting", "5 of 7 days", 90, CLIENT,
                (
                    I("Inhaler technique check with teach-back", "Care manager", "Every visit"),
                    I("Pulmonary rehabilitation", "Harbor General rehab team",
                      "Twice a week for 8 weeks"),
                ),
            ),
        ),
    ),
    "food": P(
        "Food insecurity: runs out of food before the end of the month (HRSN screen positive)",
        "Lives alone on a fixed income; cannot carry groceries up the stairs.",
        (
            G(
                "Eats two balanced meals a day", "Balanced meals a day", "2", 60, CLIENT,
                (
                    I(
                        "Referral to home-delivered meals (Bayview Meals on Wheels)",
                        "Care manager", "Once; follow up if no answer in 3 business days",
                    ),
                    I("SNAP application", "Client with the benefits navigator", "Once"),
                ),
            ),
        ),
    ),
    # Behavioural health (collaborative care)
    "depression": P(
        "Depression: PHQ-9 16 (moderately severe) at intake",
        "Low mood since losing work; sleeping 4 hours a night; started sertraline.",
        (
            G(
                "PHQ-9 below 5 by {date}", "PHQ-9 total", "below 5", 120, CLINICIAN,
                (
                    I("Behavioural activation: plan and review activities", "Care manager",
                      "Weekly"),
                    I("Registry review", "Consulting psychiatrist, Dr. Samuel Klein", "Weekly"),
                    I("Check antidepressant adherence and side effects", "Care manager",
                      "Every contact"),
                ),
            ),
            G(
                "Does one thing they enjoy on at least 3 days a week", "Days a week",
                "3 or more", 30, CLIENT,
                (I("Activity diary", "Client", "Daily"),),
            ),
        ),
    ),
    "anxiety": P(
        "Anxiety: GAD-7 14, panic attacks on the bus to work",
        "Missed eight days of work this quarter.",
        (
            G(
                "GAD-7 below 10 by {date}", "GAD-7 total", "below 10", 90, CLINICIAN,
                (
                    I("Problem-solving treatment", "Care manager", "Weekly for 8 sessions"),
                    I("Breathing and grounding practice", "Client", "Daily"),
                ),
            ),
        ),
    ),
    "alcohol": P(
        "Alcohol use: drinks most evenings to get to sleep",
        "AUDIT-C 7. Wants to cut down, not stop.",
        (
            G(
                "Drinks on no more than 2 days a week", "Drinking days a week", "2 or fewer",
                60, CLIENT,
                (
                    I("Motivational interviewing", "Care manager", "Every contact"),
                    I("Sleep routine without alcohol", "Client", "Nightly"),
                ),
            ),
        ),
    ),
    "postpartum": P(
        "Postpartum depression: EPDS 15, baby four months old",
        "Husband works nights; family overseas.",
        (
            G(
                "PHQ-9 below 5 by {date}", "PHQ-9 total", "below 5", 120, CLINICIAN,
                (
                    I("Somali-speaking mothers' group", "Client, with a community doula",
                      "Weekly"),
                    I("Registry review", "Consulting psychiatrist, Dr. Samuel Klein", "Weekly"),
                ),
            ),
        ),
    ),
    "safety": P(
        "Safety: thoughts of being better off dead (PHQ-9 item 9 = 1)",
        "No plan or intent stated; lives with her sister. Same-day follow-up done.",
        (
            G(
                "Safety plan written with the client and reviewed every week",
                "Safety plan reviewed", "Weekly", 14, CLINICIAN,
                (
                    I(
                        "Safety plan with 988 and two trusted contacts", "Care manager",
                        "Written the same day, reviewed weekly",
                    ),
                    I("Same-day consult", "Consulting psychiatrist, Dr. Samuel Klein",
                      "Once, then at each registry review"),
                ),
            ),
        ),
    ),
    # Pediatric complex care
    "asthma": P(
        "Asthma: three emergency visits in the past year",
        "Mould in the apartment; spacer not used at school.",
        (
            G(
                "No emergency visits for asthma in the next 6 months", "Asthma ED visits", "0",
                180, FAMILY,
                (
                    I("Asthma action plan shared with the school nurse",
                      "Parent and school nurse", "Once, reviewed each term"),
                    I("Home visit to check for triggers (mould, smoke)",
                      "Community health worker", "Once"),
                    I("Spacer technique teach-back", "Care manager", "Every visit"),
                ),
            ),
        ),
    ),
    "t1d": P(
        "Type 1 diabetes: frequent lows at school",
        "New CGM; school staff not yet trained.",
        (
            G(
                "Time in range above 60% on the CGM by {date}", "CGM time in range",
                "above 60%", 90, CLINICIAN,
                (
                    I("504 plan meeting with the school", "Parent with care manager", "Once"),
                    I("CGM data review", "Endocrinology nurse, Bayview Children's",
                      "Every 2 weeks"),
                ),
            ),
        ),
    ),
    "equipment": P(
        "Mobility: has outgrown the manual wheelchair",
        "Cerebral palsy (GMFCS IV). Insurer denied the first power-chair request.",
        (
            G(
                "Power wheelchair delivered by {date}", "Chair delivered", "Yes", 120, FAMILY,
                (
                    I("Appeal the prior-authorisation denial", "Care manager",
                      "Once, follow up weekly"),
                    I("Seating clinic evaluation", "Physical therapist", "Once"),
                ),
            ),
        ),
    ),
    "appointments": P(
        "Missed specialist appointments (transport, parent's work hours)",
        "Four specialists in three hospitals.",
        (
            G(
                "Attends 4 of 4 scheduled specialist visits this quarter", "Visits attended",
                "4 of 4", 90, FAMILY,
                (
                    I("Book MassHealth transport 48 hours ahead", "Parent, with care manager",
                      "Before each visit"),
                    I("Group visits on the same day where possible", "Care manager", "Monthly"),
                ),
            ),
        ),
    ),
    "feeding": P(
        "Feeding: gastrostomy tube, weight below the 5th percentile",
        "Born at 29 weeks. Night feeds by pump.",
        (
            G(
                "Weight at or above the 10th percentile by {date}", "Weight-for-age percentile",
                "10th or above", 180, CLINICIAN,
                (
                    I("Home nursing for tube feeds", "Harbor Pediatric Home Nursing",
                      "3 visits a week"),
                    I("Nutrition review", "Pediatric dietitian", "Monthly"),
                ),
            ),
        ),
    ),
    "parent_stress": P(
        "Caregiver stress: single parent, three children, night feeds",
        "Parent reports sleeping 4 hours a night.",
        (
            G(
                "Parent has 6 hours of respite a week", "Respite hours a week", "6 or more", 60,
                FAMILY,
                (
                    I("Respite hours through the waiver programme", "Care manager",
                      "Once, then monthly review"),
                    I("Parent-to-parent support (Family Voices)", "Parent", "Monthly"),
                ),
            ),
        ),
    ),
    "school_behaviour": P(
        "Behaviour at school: two suspensions this term (autism, ADHD)",
        "Grandmother is legal guardian; new school this year.",
        (
            G(
                "No suspensions for the rest of the school year", "Suspensions", "0", 150,
                FAMILY,
                (
                    I("IEP meeting with the school and the ABA provider",
                      "Guardian with care manager", "Once, then each term"),
                    I("ABA therapy", "Bayview Behavioral Services", "3 sessions a week"),
                ),
            ),
        ),
    ),
    "sickle_cell": P(
        "Sickle cell disease: two pain crises, missed hydroxyurea doses",
        "Parents share care across two homes.",
        (
            G(
                "Takes hydroxyurea every day", "Days a week with the dose taken", "7 of 7",
                60, FAMILY,
                (
                    I("Dose chart and phone reminder in both homes", "Parents", "Daily"),
                    I("Hematology clinic", "Pediatric hematologist", "Every 3 months"),
                ),
            ),
        ),
    ),
    "cystic_fibrosis": P(
        "Cystic fibrosis: airway clearance skipped on school days",
        "FEV1 dropped from 92% to 81% this year.",
        (
            G(
                "Airway clearance twice a day on at least 6 of 7 days", "Days a week",
                "6 of 7", 60, CLIENT,
                (
                    I("Vest therapy schedule that fits the school day", "Parent and client",
                      "Twice a day"),
                    I("CF clinic", "Pulmonary team, Bayview Children's", "Every 3 months"),
                ),
            ),
        ),
    ),
    "heart_child": P(
        "Congenital heart disease: surgery planned, family new to the hospital",
        "Parents speak Spanish; need interpreter at every visit.",
        (
            G(
                "Family understands the surgery plan (teach-back) by {date}",
                "Teach-back with interpreter", "Passed", 45, FAMILY,
                (
                    I("Pre-surgery visit with Spanish interpreter", "Care manager", "Once"),
                    I("Lodging and parking arranged for the surgery week", "Social worker",
                      "Once"),
                ),
            ),
        ),
    ),
    # Transitional care
    "discharge_hf": _discharge(
        "Hospital stay for heart failure; high readmission risk (LACE 12)",
        "Three new medicines, furosemide dose doubled. Lives with wife.",
    ),
    "discharge_hip": _discharge(
        "Hospital stay for a hip fracture; home with a walker",
        "Home physical therapy started; steps at the front door.",
    ),
    "discharge_pneumonia": _discharge(
        "Hospital stay for pneumonia; still weak",
        "Antibiotics to finish; lives alone on the second floor.",
    ),
    "discharge_copd": _discharge(
        "Hospital stay for a COPD flare; LACE 11",
        "Second admission in 6 months. Oxygen increased to 3 litres.",
    ),
    "discharge_stroke": _discharge(
        "Hospital stay for a minor stroke; weakness in the right hand",
        "Outpatient occupational therapy ordered.",
    ),
    "medrec": P(
        "Medication changes at discharge: three new medicines, two stopped",
        "Old bottles still in the kitchen cupboard.",
        (
            G(
                "Medicine list reconciled and explained back by the client (teach-back)",
                "Reconciled list, teach-back passed", "Yes", 7, CLINICIAN,
                (
                    I("Medication reconciliation at the home visit",
                      "Care manager with the clinical pharmacist",
                      "Once, by the face-to-face visit"),
                ),
            ),
        ),
    ),
}

# --- Notes and tasks, per program --------------------------------------------------------------

PLAN_TITLES: dict[str, str] = {
    GERIATRIC: "Geriatric care plan",
    BEHAVIOURAL: "Collaborative care plan",
    CHRONIC: "Chronic care management plan",
    PEDIATRIC: "Pediatric complex care plan",
    TRANSITIONAL: "Transitional care plan (30 days)",
}
# Days from a published version to its review date.
REVIEW_DAYS: dict[str, int] = {
    GERIATRIC: 90,
    BEHAVIOURAL: 56,
    CHRONIC: 90,
    PEDIATRIC: 90,
    TRANSITIONAL: 30,
}
CONSENT: dict[str, str] = {
    GERIATRIC: "Program consent given by the client at the intake visit (signed form).",
    BEHAVIOURAL: "Consent to collaborative care given by the client by phone (verbal, recorded).",
    CHRONIC: "Chronic care management consent given by the client by phone (verbal, recorded).",
    PEDIATRIC: "Consent given by the parent or guardian at the intake visit (signed form).",
    TRANSITIONAL: "Consent given by the client at the discharge call (verbal, recorded).",
}
INTAKE_NARRATIVES: dict[str, str] = {
    GERIATRIC: "Intake visit at home with {name}. STEADI, Mini-Cog, Katz and Lawton done; home "
    "walked through for hazards. Talked about what matters most and who helps day to day.",
    BEHAVIOURAL: "Intake with {name}: PHQ-9 and GAD-7 done, history and supports reviewed, "
    "safety asked about (no concerns today). Explained collaborative care and the weekly review "
    "with the psychiatrist.",
    CHRONIC: "Intake with {name}: conditions, medicines and recent readings reviewed; HRSN "
    "screen done. Agreed monthly calls and a visit every quarter.",
    PEDIATRIC: "Intake visit with {name} and family at home. Specialists, equipment, school and "
    "respite needs listed; parent's own supports asked about.",
    TRANSITIONAL: "Discharge call with {name} within 2 business days: symptoms, new medicines, "
    "follow-up appointments and warning signs reviewed. Home visit booked.",
}

# Narratives for notes with the client; "{name}" is the client's name.
CLIENT_NARRATIVES: dict[str, tuple[str, ...]] = {
    GERIATRIC: (
        "Check-in with {name}. No falls since the last contact; using the walker indoors now. "
        "Pill organiser checked together: one missed evening dose this week.",
        "{name} reports feeling more tired, eating less. No fever. Advised to call the primary "
        "care office; will check again in two days.",
        "Reviewed the care plan with {name}. Happy with the adult day programme, wants to keep "
        "Tuesdays. Grab bars installed last week.",
        "{name} asked about help with the electric bill. Gave the fuel assistance number and "
        "offered to help with the form at the next visit.",
        "Home visit. Kitchen clean, fridge stocked. {name} walked to the door without the cane "
        "and was steady. Talked through what to do after a fall.",
    ),
    CHRONIC: (
        "Monthly call with {name}. Morning glucose readings 140-190; two missed insulin doses. "
        "Reviewed the hypoglycaemia plan with teach-back.",
        "{name} reports weight up 3 lb in two days and ankles more swollen. Called the "
        "cardiology nurse line; diuretic adjusted. Will call tomorrow.",
        "Reviewed home blood-pressure log with {name}: readings now 130s/80s. Praised the "
        "progress; still skipping the evening walk.",
        "{name} has run out of test strips. Called the pharmacy, refill ready today.",
        "Home visit. Inhaler technique checked: good seal, still forgets to rinse. {name} "
        "walked to the mailbox with one rest.",
    ),
    BEHAVIOURAL: (
        "Follow-up with {name}. PHQ-9 today 11 (was 16). Sleeping better; walked twice this "
        "week. Taking sertraline daily, mild nausea settling.",
        "{name} reports a hard week after an argument at work. Reviewed the activity plan; "
        "chose two small activities for the weekend.",
        "Problem-solving session 4 with {name}: the problem chosen was the bus commute. Plan: "
        "leave 15 minutes earlier, practise breathing at the stop.",
        "{name} missed the last appointment. Reached today; rescheduled. No safety concerns "
        "voiced when asked.",
        "GAD-7 today 9 (was 14). {name} went to work every day this week.",
    ),
    PEDIATRIC: (
        "Call with the family about {name}. School nurse now has the action plan. No "
        "emergency visits this month.",
        "Home visit. {name} was playful and alert. Parent showed the new feeding pump "
        "settings; night feeds going well.",
        "Talked with the family about {name}'s IEP meeting next week. Will join by phone.",
        "Prior authorisation for {name}'s equipment still pending. Called the insurer; "
        "decision expected within 10 days.",
    ),
    TRANSITIONAL: (
        "Call with {name} after discharge. Has all new medicines; follow-up appointment "
        "confirmed. Knows who to call if short of breath.",
        "Home visit. Medication reconciliation with {name}: two old bottles removed, pill "
        "organiser set up. Teach-back good.",
        "{name} doing well, walking to the kitchen without help. Home PT comes twice a week.",
        "Week 3 check-in with {name}: no emergency visits, weight stable, eating better.",
    ),
}
RELATED_NARRATIVES: tuple[str, ...] = (
    "Spoke with {related} about {name}: managing well this week, asked for respite options. "
    "Sent the adult day programme leaflet.",
    "{related} called with an update on {name}: appointment went well, medicines unchanged.",
    "Update to {related}, who the client agreed may receive updates: care plan reviewed, next "
    "visit booked.",
)
PROVIDER_NARRATIVES: tuple[str, ...] = (
    "Called the primary care office about {name}: shared the last month's readings; the "
    "doctor will see {name} next week.",
    "Spoke with the pharmacist about {name}'s refills: all synchronised to the 1st of the "
    "month from now on.",
)
UNREACHED_NARRATIVE = "Called {name}, no answer. Left a voicemail asking for a call back."

TASK_POOL: dict[str, tuple[tuple[str, int], ...]] = {
    GERIATRIC: (
        ("Confirm the home safety visit date", Priority.NORMAL),
        ("Quarterly home visit", Priority.NORMAL),
        ("Check the adult day programme start date", Priority.NORMAL),
        ("Mini-Cog reassessment", Priority.NORMAL),
    ),
    CHRONIC: (
        ("Review glucose log by phone", Priority.NORMAL),
        ("Send updated care plan to the primary care physician", Priority.LOW),
        ("Confirm cardiology appointment and transport", Priority.HIGH),
        ("Order blood-pressure cuff", Priority.NORMAL),
    ),
    BEHAVIOURAL: (
        ("PHQ-9 follow-up", Priority.HIGH),
        ("Prepare for the weekly registry review", Priority.NORMAL),
        ("GAD-7 follow-up", Priority.NORMAL),
    ),
    PEDIATRIC: (
        ("Check prior authorisation status", Priority.HIGH),
        ("Join the IEP meeting by phone", Priority.NORMAL),
        ("Book transport for the specialist visit", Priority.NORMAL),
    ),
    TRANSITIONAL: (
        ("Week 3 check-in call", Priority.NORMAL),
        ("Confirm follow-up appointment was kept", Priority.HIGH),
        ("30-day episode review", Priority.NORMAL),
    ),
}

PRIMARY_CARE = (
    ("Dr. Ada Park", "Harbor Family Medicine"),
    ("Dr. Luis Ocampo", "Elm Street Health Center"),
    ("Dr. Rachel Goldstein", "Harbor Family Medicine"),
    ("Dr. Emmanuel Boateng", "Neponset Valley Primary Care"),
)
PEDIATRICIAN = ("Dr. Sarah Whitman", "Bayview Pediatrics")
PSYCHIATRIST = ("Dr. Samuel Klein", "Harbor Family Medicine")
STREETS = (
    "Elm Street", "Washington Street", "Adams Street", "Blue Hill Avenue", "Dorchester Avenue",
    "Centre Street", "Commonwealth Avenue", "Hancock Street", "Broadway", "Park Street",
    "River Street", "Columbia Road", "Cambridge Street", "Talbot Avenue",
)
DEFAULT_WHAT_MATTERS: dict[str, str] = {
    GERIATRIC: "Staying in my own home.",
    CHRONIC: "Keeping out of the hospital and being able to work.",
    BEHAVIOURAL: "Feeling like myself again.",
    PEDIATRIC: "Our child being at school with friends, not in hospital.",
    TRANSITIONAL: "Getting my strength back at home.",
}

# --- Clients -----------------------------------------------------------------------------------

C, E, R, T, F = ClientSpec, EnrolmentSpec, RelatedSpec, TaskSpec, FlagSpec
(SPOUSE, CHILD, PARENT, SIBLING, GRANDCHILD, FRIEND, GUARDIAN, POA, PAID, OTHER) = (
    Relationship.SPOUSE,
    Relationship.CHILD,
    Relationship.PARENT,
    Relationship.SIBLING,
    Relationship.GRANDCHILD,
    Relationship.FRIEND,
    Relationship.GUARDIAN,
    Relationship.POA,
    Relationship.PAID_CAREGIVER,
    Relationship.OTHER,
)
LOW, MOD, HIGH, INTENSIVE = Acuity.LOW, Acuity.MODERATE, Acuity.HIGH, Acuity.INTENSIVE
HOSPITAL = "Harbor General Hospital discharge planner"

# Keys the seed and its tests rely on (the week in SCENARIOS.md).
OKAFOR = "okafor"  # Maya: care plan review was due last Friday
LINDQVIST = "lindqvist"  # Maya: last reached 19 days ago; daughter may receive updates
RUIZ = "ruiz"  # Maya: new client assigned over the weekend
HADDAD = "haddad"  # Kim: discharged from hospital last Friday after heart failure
BAPTISTE = "baptiste"  # Kim: meals referral for food insecurity
ORTIZ = "ortiz"  # Aisha: active safety flag, urgent task due today
LINDQVIST_LAST_REACHED = 19
# Junior care managers' care plan versions awaiting Daniel's co-sign.
PLANS_AWAITING_COSIGN = ("pierre", "carter")
# Tomás's clients with no contact for a month.
NO_CONTACT_FOR_A_MONTH = ("russo", "murphy", "reyes")

CLIENTS: tuple[ClientSpec, ...] = (
    # --- Maya Robinson (junior, geriatric): 12 clients ---
    C(
        OKAFOR, "Chukwuemeka", "Okafor", "male", 81, "Dorchester",
        (E(GERIATRIC, "maya", ("falls", "medicines"), 120, HIGH, referral_source="Dr. Ada Park"),),
        (R("Ngozi Okafor", SPOUSE, updates=True, caregiver=True),
         R("Chidi Okafor", CHILD, updates=True)),
        preferred_name="Emeka",
        what_matters="Walking to church on Sundays and seeing my grandchildren graduate.",
        last_reached=9,
        tasks=(
            T("Care plan review with Mr. and Mrs. Okafor", -3, Priority.HIGH,
              description="Review was due Friday: falls, medicines; update review date.",
              on_review_date=True),
            T("Pharmacy blister packs: confirm first delivery", 4),
        ),
        flags=(F(FlagKind.FALL_RISK, "Two falls in six months; uses a cane outdoors only", 118),),
    ),
    C(
        LINDQVIST, "Ingrid", "Lindqvist", "female", 88, "Quincy",
        (E(GERIATRIC, "maya", ("isolation", "memory"), 100, MOD,
           referral_source="Daughter (self-referral)"),),
        (R("Karin Lindqvist", CHILD, updates=True,
           notes="Lives in Worcester. Call after 5 pm on weekdays."),),
        what_matters="Keeping my cat and my garden, and not being a burden to Karin.",
        last_reached=LINDQVIST_LAST_REACHED,
        tasks=(
            T("Reach Mrs. Lindqvist: call daughter Karin if no answer", -2, Priority.HIGH),
            T("Memory clinic appointment: confirm date", 9),
        ),
    ),
    C(
        RUIZ, "Esperanza", "Ruiz", "female", 79, "Chelsea",
        (E(GERIATRIC, "maya", (), 0, MOD, status=EnrolmentStatus.REFERRED,
           referral_source=HOSPITAL),),
        (R("Marisol Ruiz", CHILD, updates=True, caregiver=True),),
        language="Spanish", interpreter=True,
        what_matters="",
        tasks=(
            T("Welcome call to Mrs. Ruiz (Spanish interpreter)", 0, Priority.HIGH),
            T("Initial assessment home visit", 5, Priority.HIGH),
        ),
    ),
    C(
        "nguyen-thanh", "Thanh", "Nguyen", "male", 84, "Dorchester",
        (E(GERIATRIC, "maya", ("medicines", "falls"), 90, MOD),),
        (R("Lan Nguyen", CHILD, updates=True, caregiver=True),
         R("Minh Nguyen", GRANDCHILD)),
        language="Vietnamese", interpreter=True,
        what_matters="Tending the vegetables on the porch and eating with my family.",
        tasks=(T("Book Vietnamese interpreter for quarterly visit", 3),),
        last_reached=6,
    ),
    C(
        "hassan", "Fadumo", "Hassan", "female", 76, "Roxbury",
        (E(GERIATRIC, "maya", ("medicines", "isolation"), 75, MOD),),
        (R("Abdi Hassan", CHILD, updates=True, caregiver=True),),
        language="Somali", interpreter=True,
        what_matters="Going to the mosque on Fridays and cooking for Eid.",
        tasks=(),
        last_reached=11,
    ),
    C(
        "pierre", "Wilner", "Pierre", "male", 80, "Mattapan",
        (E(GERIATRIC, "maya", ("falls", "caregiver"), 60, HIGH),),
        (R("Rose-Marie Pierre", SPOUSE, updates=True, caregiver=True),),
        language="Haitian Creole", interpreter=True,
        what_matters="That my wife does not get sick from looking after me.",
        tasks=(T("Adult day programme: confirm Tuesday start", 6),),
        last_reached=4,
    ),
    C(
        "petrova", "Galina", "Petrova", "female", 86, "Brighton",
        (E(GERIATRIC, "maya", ("medicines", "advance"), 110, MOD),),
        (R("Dmitri Petrov", CHILD, updates=True),),
        language="Russian", interpreter=True,
        what_matters="Staying at home with my books; no more hospitals.",
        tasks=(
            T("Help with MassHealth recertification form", -4, Priority.HIGH,
              description="Form due at the end of the month; Dmitri has the income letters."),
        ),
        last_reached=8,
    ),
    C(
        "williams", "Dorothy", "Williams", "female", 91, "Milton",
        (
            E(TRANSITIONAL, "kim", ("discharge_pneumonia",), 125, HIGH, EnrolmentStatus.DISCHARGED,
              referral_source=HOSPITAL, ended=95, discharge_reason=DischargeReason.GOALS_MET,
              discharge_note="30-day episode complete: no readmission, follow-up visits kept. "
              "Referred on to geriatric care management for caregiver support."),
            E(GERIATRIC, "maya", ("caregiver", "falls"), 92, HIGH,
              referral_source="Kim Nguyen, transitional care"),
        ),
        (R("Harold Williams", SPOUSE, updates=True, caregiver=True,
           notes="Age 90; hard of hearing, speak slowly."),
         R("Beverly Thompson", CHILD, updates=True)),
        what_matters="Harold and I want to stay together in this house.",
        tasks=(T("Respite options: call Beverly", 1, Priority.NORMAL),),
        last_reached=13,
    ),
    C(
        "kowalski", "Frank", "Kowalski", "male", 78, "Quincy",
        (E(GERIATRIC, "maya", ("falls",), 45, MOD),),
        (R("Teresa Kowalski", SPOUSE, updates=True, caregiver=True),),
        what_matters="Getting back to bowling on Wednesdays.",
        tasks=(T("Confirm OT home safety visit", 2),),
        flags=(F(FlagKind.OTHER, "Large dog at home: ask for it to be secured before visits",
                 40),),
        last_reached=3,
    ),
    C(
        "chen", "Mei", "Chen", "female", 83, "Malden",
        (E(GERIATRIC, "maya", ("memory", "medicines"), 85, MOD),),
        (R("Wei Chen", CHILD, updates=True, caregiver=True),),
        language="Mandarin", interpreter=True,
        what_matters="Practising calligraphy and seeing my son every evening.",
        tasks=(T("Mini-Cog reassessment", 10),),
        last_reached=12,
    ),
    C(
        "santos", "Beatriz", "Santos", "female", 74, "Somerville",
        (E(GERIATRIC, "maya", ("isolation",), 30, LOW),),
        (R("Paulo Santos", SIBLING),),
        language="Portuguese",
        what_matters="Singing in the church choir again.",
        tasks=(),
        last_reached=10,
    ),
    C(
        "jackson", "Walter", "Jackson", "male", 89, "Roxbury",
        (E(GERIATRIC, "maya", ("memory", "advance"), 115, HIGH),),
        (R("Denise Jackson", POA, updates=True, caregiver=True),
         R("Kevin Harris", PAID, notes="Home health aide, weekdays 9-1.")),
        what_matters="Listening to my jazz records and staying in the house I built.",
        tasks=(T("Ask Denise for a copy of the healthcare proxy", 8, done=False),
               T("Send updated medicine list to Dr. Park", -10, done=True)),
        last_reached=7,
    ),
    # --- Daniel Mensah (care manager, geriatric and chronic): 9 clients ---
    C(
        "abernathy", "Ruth", "Abernathy", "female", 85, "Milton",
        (E(GERIATRIC, "daniel", ("falls", "advance"), 140, MOD),),
        (R("James Abernathy", CHILD, updates=True),),
        what_matters="Reading the paper on my porch every morning.",
        flags=(F(FlagKind.FALL_RISK, "Fell in the bathroom in spring; walker at all times",
                 135),),
    ),
    C(
        "osei", "Samuel", "Osei", "male", 70, "Dorchester",
        (E(CHRONIC, "daniel", ("diabetes", "hypertension"), 115, MOD),),
        (R("Akosua Osei", SPOUSE, updates=True),),
        what_matters="Keeping my taxi licence.",
    ),
    C(
        "moreno", "Lucía", "Moreno", "female", 68, "Chelsea",
        (E(CHRONIC, "daniel", ("diabetes", "food"), 95, MOD),),
        (R("Andrés Moreno", CHILD, updates=True),),
        language="Spanish", interpreter=True,
        what_matters="Cooking for my grandchildren without getting sick.",
    ),
    C(
        "papadopoulos", "George", "Papadopoulos", "male", 77, "Somerville",
        (E(GERIATRIC, "daniel", ("medicines", "caregiver"), 80, MOD),),
        (R("Eleni Papadopoulos", SPOUSE, updates=True, caregiver=True),),
        what_matters="Opening the restaurant on Saturdays, even for an hour.",
    ),
    C(
        "tran", "Hoa", "Tran", "female", 72, "Dorchester",
        (E(CHRONIC, "daniel", ("chf", "diabetes"), 100, HIGH),),
        (R("Quang Tran", SPOUSE, updates=True, caregiver=True),),
        language="Vietnamese", interpreter=True,
    ),
    C(
        "mohamed", "Abdullahi", "Mohamed", "male", 66, "Roxbury",
        (E(CHRONIC, "daniel", ("diabetes", "hypertension"), 70, MOD),),
        (R("Sahra Mohamed", SPOUSE, updates=True),),
        language="Somali", interpreter=True,
        what_matters="Fasting safely in Ramadan.",
    ),
    C(
        "obrien", "Patricia", "O'Brien", "female", 80, "Quincy",
        (E(GERIATRIC, "daniel", ("isolation", "falls"), 60, LOW),),
        (R("Maureen Kelly", FRIEND),),
    ),
    C(
        "volkov", "Igor", "Volkov", "male", 75, "Brighton",
        (E(CHRONIC, "daniel", ("copd", "hypertension"), 125, MOD),),
        (R("Tatiana Volkova", SPOUSE, updates=True, caregiver=True),),
        language="Russian", interpreter=True,
    ),
    C(
        "joseph", "Marie-Claire", "Joseph", "female", 71, "Mattapan",
        (E(GERIATRIC, "daniel", ("medicines", "memory"), 50, MOD),),
        (R("Jean Joseph", CHILD, updates=True, caregiver=True),),
        language="Haitian Creole", interpreter=True,
    ),
    # --- Tomás Herrera (junior, chronic disease): 9 clients ---
    C(
        "ramirez", "José", "Ramírez", "male", 62, "Chelsea",
        (E(CHRONIC, "tomas", ("diabetes", "hypertension"), 110, MOD),),
        (R("Ana Ramírez", SPOUSE, updates=True),),
        language="Spanish",
        what_matters="Keeping my job at the market and seeing my daughter's wedding.",
    ),
    C(
        "flores", "Carmen", "Flores", "female", 58, "Revere",
        (E(CHRONIC, "tomas", ("diabetes", "food"), 90, MOD),),
        (R("Rafael Flores", CHILD, updates=True),),
        language="Spanish", interpreter=True,
    ),
    C(
        "carter", "Dwayne", "Carter", "male", 55, "Dorchester",
        (E(CHRONIC, "tomas", ("chf", "hypertension"), 40, HIGH),),
        (R("Keisha Carter", SPOUSE, updates=True),),
        what_matters="Coaching my son's basketball team.",
    ),
    C(
        "murphy", "Linda", "Murphy", "female", 67, "Quincy",
        (E(CHRONIC, "tomas", ("copd", "hypertension"), 130, MOD),),
        (R("Sean Murphy", CHILD),),
        last_reached=34,
    ),
    C(
        "patel", "Rajesh", "Patel", "male", 60, "Malden",
        # Enrolled a year and a half ago: a long record (the chart shows the newest 20 notes).
        (E(CHRONIC, "tomas", ("diabetes", "hypertension"), 540, MOD, contacts=32),),
        (R("Sunita Patel", SPOUSE, updates=True),),
        language="Gujarati",
    ),
    C(
        "reyes", "Yolanda", "Reyes", "female", 64, "Revere",
        (E(CHRONIC, "tomas", ("diabetes", "chf"), 120, HIGH),),
        (R("Luz Reyes", SIBLING, updates=True),),
        language="Spanish", interpreter=True,
        last_reached=38,
    ),
    C(
        "russo", "Anthony", "Russo", "male", 71, "Revere",
        (E(CHRONIC, "tomas", ("chf", "medicines"), 105, HIGH),),
        (R("Gina Russo", CHILD, updates=True),),
        last_reached=31,
    ),
    C(
        "brooks", "Aaliyah", "Brooks", "female", 52, "Roxbury",
        (E(CHRONIC, "tomas", ("diabetes", "hypertension"), 65, MOD),),
        (R("Marcus Brooks", CHILD),),
        what_matters="Being well enough to take care of my mother.",
    ),
    C(
        "pham", "Duc", "Pham", "male", 69, "Dorchester",
        (E(CHRONIC, "tomas", ("copd", "medicines"), 75, MOD),),
        (R("Linh Pham", CHILD, updates=True, caregiver=True),),
        language="Vietnamese", interpreter=True,
    ),
    # --- Rosa Delgado (senior, chronic disease): 4 clients ---
    C(
        "washington", "Shirley", "Washington", "female", 73, "Mattapan",
        (E(CHRONIC, "rosa", ("chf", "diabetes"), 150, INTENSIVE),),
        (R("Tanya Washington", CHILD, updates=True, caregiver=True),),
        what_matters="Being at my grandson's graduation in June.",
    ),
    C(
        "bondarenko", "Oleksandr", "Bondarenko", "male", 70, "Brighton",
        (E(CHRONIC, "rosa", ("copd", "diabetes"), 95, HIGH),),
        (R("Iryna Bondarenko", SPOUSE, updates=True),),
        language="Ukrainian", interpreter=True,
    ),
    C(
        "mendoza", "Gloria", "Mendoza", "female", 66, "Chelsea",
        (E(CHRONIC, "rosa", ("hypertension", "diabetes"), 70, MOD),),
        (R("Hector Mendoza", SPOUSE),),
        language="Spanish",
    ),
    C(
        "asante", "Kwame", "Asante", "male", 59, "Dorchester",
        (E(CHRONIC, "rosa", ("chf", "hypertension"), 55, HIGH),),
        (R("Abena Asante", SPOUSE, updates=True),),
    ),
    # --- Aisha Farah (care manager, behavioural health): 9 clients ---
    C(
        ORTIZ, "Daniela", "Ortiz", "female", 31, "Revere",
        (E(BEHAVIOURAL, "aisha", ("depression", "safety"), 35, INTENSIVE,
           referral_source="Dr. Luis Ocampo"),),
        (R("Paola Ortiz", SIBLING, updates=True,
           notes="Lives with the client; named on the safety plan."),),
        language="Spanish",
        what_matters="Going back to my nursing classes.",
        last_reached=0,
        # Today's PHQ-9 (17, item 9 = 1) raises the safety flag and the urgent same-day task
        # through its safety rule (demo/scenarios.py).
        tasks=(T("PHQ-9 follow-up", 7, Priority.HIGH),),
    ),
    C(
        "ali", "Hodan", "Ali", "female", 27, "Roxbury",
        (E(BEHAVIOURAL, "aisha", ("postpartum",), 50, HIGH),),
        (R("Mohamed Ali", SPOUSE, updates=True),),
        language="Somali", interpreter=True,
        what_matters="Enjoying my baby.",
    ),
    C(
        "oconnor", "Kevin", "O'Connor", "male", 45, "Quincy",
        (E(BEHAVIOURAL, "aisha", ("depression", "alcohol"), 90, HIGH),),
        (R("Siobhan O'Connor", SPOUSE),),
        flags=(F(FlagKind.SAFETY, "Passive thoughts of death at intake", 88, resolved=60,
                 resolution="Safety plan in place; PHQ-9 item 9 = 0 at three contacts."),),
    ),
    C(
        "le", "Thu", "Le", "female", 38, "Dorchester",
        (E(BEHAVIOURAL, "aisha", ("anxiety",), 60, MOD),),
        (R("Binh Le", SPOUSE),),
        language="Vietnamese", interpreter=True,
    ),
    C(
        "hayes", "Darnell", "Hayes", "male", 52, "Roxbury",
        (
            E(BEHAVIOURAL, "aisha", ("depression",), 100, MOD),
            E(CHRONIC, "tomas", ("diabetes",), 80, MOD),
        ),
        (R("Cheryl Hayes", SPOUSE, updates=True),),
    ),
    C(
        "ivanova", "Olga", "Ivanova", "female", 61, "Brighton",
        (E(BEHAVIOURAL, "aisha", ("depression",), 120, MOD),),
        (R("Anna Ivanova", CHILD),),
        language="Russian", interpreter=True,
    ),
    C(
        "gutierrez", "Luis", "Gutiérrez", "male", 40, "Chelsea",
        (E(BEHAVIOURAL, "aisha", ("anxiety", "alcohol"), 45, MOD),),
        (R("Maribel Gutiérrez", SPOUSE),),
        language="Spanish",
    ),
    C(
        "stein", "Rebecca", "Stein", "female", 48, "Brookline",
        (E(BEHAVIOURAL, "aisha", ("depression",), 70, LOW),),
        (R("Aaron Stein", SPOUSE),),
    ),
    C(
        "ellis", "Jordan", "Ellis", "female", 24, "Cambridge",
        (E(BEHAVIOURAL, "aisha", ("anxiety", "depression"), 25, MOD),),
        (R("Pat Ellis", PARENT),),
        gender_identity="Non-binary", pronouns="they/them",
    ),
    # --- Marcus Bell (senior, behavioural health): 2 clients ---
    C(
        "romano", "Angela", "Romano", "female", 57, "Revere",
        (E(BEHAVIOURAL, "marcus", ("depression",), 130, MOD),),
        (R("Vincent Romano", SPOUSE),),
    ),
    C(
        "khoury", "Samir", "Khoury", "male", 44, "Malden",
        (E(BEHAVIOURAL, "marcus", ("anxiety",), 80, MOD),),
        (R("Rania Khoury", SPOUSE),),
        language="Arabic",
    ),
    # --- Kim Nguyen (care manager, transitional care): 5 clients ---
    C(
        HADDAD, "Youssef", "Haddad", "male", 74, "Everett",
        (E(TRANSITIONAL, "kim", ("discharge_hf", "medrec"), 0, HIGH,
           referral_source=HOSPITAL),),
        (R("Layla Haddad", SPOUSE, updates=True, caregiver=True),
         R("Nadim Haddad", CHILD, updates=True)),
        language="Arabic",
        what_matters="Sleeping in my own bed and not going back to the hospital.",
        tasks=(),  # the transitional care clocks are written by the seed from the discharge date
    ),
    C(
        BAPTISTE, "Marie", "Baptiste", "female", 68, "Mattapan",
        (E(TRANSITIONAL, "kim", ("discharge_copd", "food"), 12, HIGH,
           referral_source=HOSPITAL),),
        (R("Jocelyne Baptiste", CHILD, updates=True),),
        language="Haitian Creole", interpreter=True,
        what_matters="Cooking my own food again.",
        # The HRSN screen, the meals referral and its chase task: demo/scenarios.py.
        tasks=(T("30-day episode review", 18),),
    ),
    C(
        "lee", "Robert", "Lee", "male", 82, "Quincy",
        (E(TRANSITIONAL, "kim", ("discharge_hip",), 20, HIGH, referral_source=HOSPITAL),),
        (R("Grace Lee", SPOUSE, updates=True, caregiver=True),),
    ),
    C(
        "morozova", "Svetlana", "Morozova", "female", 77, "Brighton",
        (E(TRANSITIONAL, "kim", ("discharge_pneumonia", "medrec"), 8, HIGH,
           referral_source=HOSPITAL),),
        (R("Yelena Morozova", CHILD, updates=True),),
        language="Russian", interpreter=True,
    ),
    C(
        "castillo", "Héctor", "Castillo", "male", 65, "Chelsea",
        (E(TRANSITIONAL, "kim", ("discharge_copd",), 25, MOD, referral_source=HOSPITAL),),
        (R("Rosa Castillo", SPOUSE, updates=True),),
        language="Spanish",
    ),
    # --- Farid Haidari (senior, transitional care): 1 client ---
    C(
        "vu", "Hoang", "Vu", "male", 71, "Dorchester",
        (E(TRANSITIONAL, "farid", ("discharge_stroke", "medrec"), 15, HIGH,
           referral_source=HOSPITAL),),
        (R("Mai Vu", SPOUSE, updates=True, caregiver=True),),
        language="Vietnamese", interpreter=True,
    ),
    # --- Lucía Ferreira (care manager, pediatric complex care): 6 clients ---
    C(
        "silva", "Mateo", "Silva", "male", 7, "Everett",
        (E(PEDIATRIC, "lucia", ("asthma",), 100, MOD, referral_source="Bayview Pediatrics"),),
        (R("Ana Silva", PARENT, updates=True, caregiver=True),
         R("Carlos Silva", PARENT, updates=True)),
        language="Portuguese",
        what_matters="Playing football at recess like the other kids.",
    ),
    C(
        "diallo", "Amara", "Diallo", "female", 4, "Roxbury",
        (E(PEDIATRIC, "lucia", ("sickle_cell", "appointments"), 120, HIGH),),
        (R("Fatoumata Diallo", PARENT, updates=True, caregiver=True),
         R("Ibrahima Diallo", PARENT, updates=True)),
        language="French", interpreter=True,
    ),
    C(
        "osullivan", "Liam", "O'Sullivan", "male", 12, "Quincy",
        (E(PEDIATRIC, "lucia", ("t1d",), 60, MOD),),
        (R("Siobhan O'Sullivan", PARENT, updates=True, caregiver=True),),
        what_matters="Going on the school trip in May.",
    ),
    C(
        "vo", "An", "Vo", "female", 9, "Dorchester",
        (E(PEDIATRIC, "lucia", ("equipment", "appointments"), 140, HIGH),),
        (R("Hanh Vo", PARENT, updates=True, caregiver=True),),
        language="Vietnamese", interpreter=True,
    ),
    C(
        "johnson", "Isaiah", "Johnson", "male", 15, "Mattapan",
        (E(PEDIATRIC, "lucia", ("school_behaviour",), 90, MOD),),
        (R("Loretta Johnson", GUARDIAN, updates=True, caregiver=True,
           notes="Grandmother; legal guardian since 2022."),),
    ),
    C(
        "abdi", "Zainab", "Abdi", "female", 2, "Roxbury",
        (E(PEDIATRIC, "lucia", ("feeding", "parent_stress"), 110, INTENSIVE),),
        (R("Khadra Abdi", PARENT, updates=True, caregiver=True),),
        language="Somali", interpreter=True,
        flags=(F(FlagKind.INFECTION, "Immunocompromised: mask at home visits", 105),),
    ),
    # --- Hannah Cho (senior, pediatric complex care): 2 clients ---
    C(
        "goldberg", "Noah", "Goldberg", "male", 10, "Brookline",
        (E(PEDIATRIC, "hannah", ("cystic_fibrosis",), 150, MOD),),
        (R("Rachel Goldberg", PARENT, updates=True, caregiver=True),
         R("David Goldberg", PARENT, updates=True)),
    ),
    C(
        "cruz", "Valentina", "Cruz", "female", 6, "Chelsea",
        (E(PEDIATRIC, "hannah", ("heart_child", "appointments"), 30, HIGH),),
        (R("Mariana Cruz", PARENT, updates=True, caregiver=True),
         R("Jorge Cruz", PARENT, updates=True)),
        language="Spanish", interpreter=True,
    ),
    # --- Priya Raman (senior, geriatric): 2 clients ---
    C(
        "fitzgerald", "Eleanor", "Fitzgerald", "female", 93, "Milton",
        (E(GERIATRIC, "priya", ("advance", "falls"), 160, HIGH),),
        (R("Thomas Fitzgerald", CHILD, updates=True),
         R("Nora Fitzgerald", POA, updates=True)),
        what_matters="Dying at home, with my family, when the time comes.",
    ),
    C(
        "vega", "Arturo", "Vega", "male", 87, "Chelsea",
        (E(GERIATRIC, "priya", ("memory", "caregiver"), 95, MOD),),
        (R("Carmen Vega", SPOUSE, updates=True, caregiver=True),),
        language="Spanish", interpreter=True,
    ),
)
# fmt: on
