"""Write groundswell's bundled sample data set into ``data/sample/``.

The company is fictional: Northwind Ledger sells spend-management and AP
automation software to mid-market finance teams. The generator writes sales
calls in every supported transcript format, a Salesforce Task export of CRM
notes, the company's strategy (Markdown and YAML) and a record of what was
planted (``PLANTED.md``, ``planted.json``) for the tests and the demo.

Run it from the repository root::

    python data/generate_sample.py

Python standard library only, one fixed seed, no clock: two runs write
byte-identical files.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

SEED = 20261031
OUT = Path(__file__).resolve().parent / "sample"
COMPANY = "Northwind Ledger"
DOMAIN = "northwindledger.com"
START = dt.date(2026, 7, 1)
END = dt.date(2026, 10, 30)
AS_OF = dt.date(2026, 10, 31)
EMERGING_FROM = dt.date(2026, 10, 6)
MONTHS = ["2026-07", "2026-08", "2026-09", "2026-10"]
N_NOISE_NOTES = 120

# --------------------------------------------------------------------------
# Strategy
# --------------------------------------------------------------------------

STRATEGY_AS_OF = "2026-06-30"
STRATEGY: list[tuple[str, str, list[str]]] = [
    ("objective", "Objectives", [
        "Grow annual recurring revenue from $18M to $30M by the end of 2027",
        "Keep net revenue retention above 110%",
        "Become the market leader in mid-market accounts payable",
    ]),
    ("target", "Where we compete", [
        "Mid-market companies with 200 to 2,000 employees in the US and Canada",
        "Businesses whose general ledger lives in NetSuite, Sage Intacct or Dynamics 365",
    ]),
    ("non_target", "What we say no to", [
        "We do not offer on-premise or self-hosted deployments",
        "We do not build payroll or HR software",
        "We do not pursue enterprises with more than 5,000 employees",
    ]),
    ("value", "Value proposition", [
        "Automatic three-way matching of invoices, purchase orders and receipts",
        "Native two-way sync with NetSuite, Sage Intacct and Dynamics 365",
        "Approval workflows that route each bill to the right approver, with reminders and an audit trail",
        "Close the books at month end in days, not weeks",
        "24/7 live phone support in 12 languages",
    ]),
    ("priority", "Priorities", [
        "Go live in under 30 days: a guided implementation with a dedicated onboarding manager",
        "Justify our price with ROI when it is over the customer's budget",
    ]),
    ("competitor", "Competitors", [
        "Bill.com",
        "Tipalti",
        "Stampli",
        "Coupa",
    ]),
]


def slugify(text: str) -> str:
    """Statement id of a Markdown bullet: lowercase, non-alphanumerics to '-'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def statement_id(text: str) -> str:
    for _, _, bullets in STRATEGY:
        if text in bullets:
            return slugify(text)
    raise KeyError(text)


UNHEARD = "24/7 live phone support in 12 languages"
# Words no customer turn or note may contain, so the unheard value stays unheard.
UNHEARD_WORDS = ("support", "phone", "language", "english", "24/7", "helpdesk",
                 "help desk", "around the clock", "spanish", "french")

# --------------------------------------------------------------------------
# People and accounts
# --------------------------------------------------------------------------

REPS = [  # (name, role)
    ("Maya Okafor", "Account Executive"),
    ("Daniel Brooks", "Account Executive"),
    ("Priya Raman", "Account Executive"),
    ("Tom Keller", "Account Executive"),
    ("Sofia Marquez", "Account Executive"),
    ("Ethan Walsh", "Solutions Engineer"),
    ("Grace Lin", "Solutions Engineer"),
]
AES = [n for n, r in REPS if r == "Account Executive"]
SES = [n for n, r in REPS if r == "Solutions Engineer"]

ACCOUNTS = [  # (name, segment, employees)
    ("Harborline Logistics", "Mid-Market", 640),
    ("Crestview Dental Partners", "Mid-Market", 420),
    ("Bluefin Provisions", "SMB", 150),
    ("Alder & Finch Architects", "SMB", 180),
    ("Quarry Ridge Building Supply", "Mid-Market", 910),
    ("Meridian Home Health", "Mid-Market", 1300),
    ("Tallgrass Energy Services", "Mid-Market", 760),
    ("Copperleaf Hospitality Group", "Enterprise", 3200),
    ("Pinecrest Charter Network", "Mid-Market", 530),
    ("Redwater Brewing Co.", "SMB", 190),
    ("Solano Produce Distributors", "Mid-Market", 480),
    ("Everline Staffing", "Mid-Market", 1100),
    ("Brightwell Pharmacy Group", "Mid-Market", 1450),
    ("Kestrel Aerospace Components", "Mid-Market", 870),
    ("Ironbridge Construction", "Mid-Market", 690),
    ("Lumen Veterinary Partners", "Mid-Market", 560),
    ("Summit Peak Outfitters", "Mid-Market", 340),
    ("Oakhaven Senior Living", "Enterprise", 2600),
    ("Westbrook Freight Systems", "Mid-Market", 980),
    ("Cobalt Coast Marine", "SMB", 120),
    ("Northgate Property Management", "Mid-Market", 450),
    ("Riverstone Foods", "Mid-Market", 1700),
    ("Halcyon Medical Devices", "Mid-Market", 820),
    ("Granite State Plastics", "Mid-Market", 390),
    ("Juniper Learning", "Mid-Market", 310),
    ("Vantage Point Media", "Mid-Market", 270),
    ("Silverline Auto Group", "Enterprise", 2100),
    ("Fairhaven Credit Union", "Mid-Market", 620),
    ("Mesa Verde Solar", "Mid-Market", 440),
    ("Ridgeback Mining Supply", "Mid-Market", 720),
    ("Clearwater Pediatrics Group", "Mid-Market", 380),
    ("Stonebridge Hotels", "Enterprise", 2900),
    ("Lakeshore Robotics", "Mid-Market", 260),
    ("Greenfield Ag Cooperative", "Mid-Market", 510),
    ("Pacific Rim Textiles", "Mid-Market", 830),
]

FIRST_NAMES = [
    "Dana", "Marcus", "Elena", "Raj", "Hannah", "Luis", "Keisha", "Brian", "Mei",
    "Oscar", "Fatima", "Greg", "Nadia", "Trevor", "Aisha", "Colin", "Yuki", "Derek",
    "Rosa", "Samir", "Lauren", "Victor", "Tanya", "Jamal", "Ingrid", "Kevin", "Leah",
    "Andre", "Monica", "Paul", "Chloe", "Hector", "Beth", "Omar", "Julia", "Wes",
    "Carmen", "Neil", "Shauna", "Felix", "Renee", "Ahmed", "Kristen", "Diego",
    "Molly", "Ravi", "Tessa", "Gordon", "Lina", "Simon",
]
LAST_NAMES = [
    "Whitfield", "Alvarez", "Novak", "Patel", "Schmidt", "Moreno", "Jackson", "Kowalski",
    "Chen", "Reyes", "Haddad", "Larsen", "Petrova", "Mills", "Bello", "Fitzgerald",
    "Tanaka", "Dunn", "Ortiz", "Qureshi", "Hart", "Castillo", "Ivanova", "Wright",
    "Lindqvist", "O'Brien", "Abrams", "Dubois", "Ferreira", "Grant", "Holloway",
    "Iyer", "Jensen", "Kaplan", "Lowe", "McBride", "Nguyen", "Osei", "Price",
    "Rasmussen", "Sandoval", "Thornton", "Underwood", "Vance", "Ward", "Young",
    "Zimmerman", "Booker", "Carver", "Delgado",
]
TITLES = ["CFO", "Controller", "VP Finance", "AP Manager", "Assistant Controller",
          "IT Director", "Director of FP&A", "Procurement Manager", "Senior AP Specialist"]

ERPS = ["NetSuite", "NetSuite", "NetSuite", "Sage Intacct", "Sage Intacct",
        "Dynamics 365 Business Central", "Dynamics 365 Finance"]
STAGES = ["Discovery", "Demo", "Evaluation", "Proposal", "Negotiation"]


@dataclass
class Contact:
    name: str
    title: str

    @property
    def first(self) -> str:
        return self.name.split()[0]


@dataclass
class Account:
    name: str
    segment: str
    employees: int
    account_id: str
    opportunity_id: str
    owner: str
    erp: str
    contacts: list[Contact]
    final_stage: str
    outcome: str
    amount: int


# --------------------------------------------------------------------------
# Themes: core phrasings, spoken (calls) and terse (notes)
# --------------------------------------------------------------------------


@dataclass
class Theme:
    name: str
    kind: str  # steady | emerging | growing
    label: str
    statement: str | None
    expected_flag: str | None
    keywords: list[str]
    spoken: list[str]
    terse: list[str]
    rep_replies: list[str]


THEMES: list[Theme] = [
    Theme(
        "three_way_matching", "steady", "Invoices matched to POs and receipts automatically",
        "Automatic three-way matching of invoices, purchase orders and receipts", None,
        ["po", "invoice", "matching", "match"],
        spoken=[
            "Right now two of my AP clerks spend their whole week matching invoices against POs and receiving by hand.",
            "What I really need is for the invoice to get matched to the purchase order and the receipt without anybody touching it.",
            "Our biggest headache is when the invoice quantity doesn't match what we actually received against the PO.",
            "Can it do a three-way match, PO, goods receipt and invoice, and only kick out the exceptions?",
            "We get something like {n_inv} invoices a month and every single one gets checked against the PO line by line.",
            "If the system could just flag the invoices where the price is off from the PO, that alone would save us hours.",
            "Honestly, PO matching is the reason we started looking. Tipalti's matching was too rigid for partial shipments.",
            "We do a lot of partial receipts, so the invoice shows up before everything's received on the PO. How does your matching handle that?",
            "I want to set a tolerance, like two percent or fifty bucks, and have any invoice inside that auto-match to the PO.",
            "Half our vendors don't even put the PO number on the invoice, so somebody has to go hunt for it before we can match.",
            "The dream is touchless: the invoice comes in, matches the purchase order and the receiving record, and it's queued to pay.",
            "Last quarter we paid a vendor twice because nobody caught that the invoice didn't line up with the PO.",
            "We're doing two-way matching in spreadsheets today, and we really want to get to a three-way match with the receiving data.",
            "When the unit price on the invoice is different from the PO, what happens? Does it hold the invoice for review?",
        ],
        terse=[
            "Manual PO-to-invoice matching is eating ~{hours} hrs/week for their AP team.",
            "Wants auto 3-way match (PO / receipt / invoice) w/ exceptions only.",
            "Pain: invoices arrive w/o PO numbers, clerks match them by hand.",
            "Asked whether invoice matching tolerances can be set per vendor (price + qty variance vs PO).",
            "Duplicate payment last qtr bc the invoice was never matched against the PO. Big driver for the eval.",
            "Needs partial-receipt matching - multiple invoices against one PO.",
            "Interested in touchless AP: invoice auto-matched to PO + goods receipt, then straight to pay.",
            "Controller says 3-way match is a must-have; Stampli couldn't match invoices to receiving data.",
            "Price variances between PO and invoice only get caught when a vendor complains.",
            "Currently matching ~{n_inv} invoices/mo to POs in Excel. Wants the matching automated.",
        ],
        rep_replies=[
            "Yes, that's exactly what our three-way match does. You set tolerances, and only the exceptions land in your queue.",
            "Good news there: we match at the line level against the PO and the receipt, and partials are handled.",
            "Totally. Most teams your size get to around eighty percent touchless matching within the first quarter.",
        ],
    ),
    Theme(
        "erp_sync", "steady", "Two-way sync with the ERP (NetSuite, Sage Intacct, Dynamics)",
        "Native two-way sync with NetSuite, Sage Intacct and Dynamics 365", None,
        ["sync", "netsuite", "erp", "integration", "intacct"],
        spoken=[
            "The big one for us is {erp}. Whatever we buy has to sync both ways with it, vendors, bills, payments, everything.",
            "Our last tool had a one-way export to {erp} and we were constantly reconciling the two systems.",
            "Does the {erp} connector push the GL coding back, or do we have to re-key it on the ERP side?",
            "I don't want my team uploading CSV files into {erp} every afternoon. It has to be a real integration.",
            "How often does it sync with {erp}? Is it real time or like a nightly batch?",
            "We have custom segments in {erp}, department, location, class. Will those come across in the sync?",
            "When we pay a bill I need it to show as paid in {erp} right away, without someone updating the ERP by hand.",
            "We're migrating from QuickBooks to {erp} in January, so the integration has to work on day one.",
            "Our IT folks will ask how the {erp} integration authenticates, token-based or a service user.",
            "Our vendor master lives in {erp}. If someone adds a vendor there, it needs to sync over to your side too.",
            "Honestly the integration is make-or-break. If the {erp} sync breaks, my team stops trusting the numbers.",
            "We run two subsidiaries in {erp}. Can one instance of yours sync to both?",
            "Bill.com's NetSuite sync kept throwing errors on us, so I'm nervous about ERP integrations in general.",
            "Do you have a native connector for {erp}, or does the integration go through middleware like Workato?",
        ],
        terse=[
            "Must have 2-way sync w/ {erp} (vendors, bills, payments).",
            "Current tool only exports to {erp} one-way, they reconcile the two systems manually every week.",
            "Asked about {erp} custom fields/segments mapping in our integration.",
            "{erp} integration is the #1 eval criterion per controller.",
            "IT wants a doc on how the {erp} connector authenticates + sync frequency.",
            "Moving to {erp} in Q1, needs the ERP integration live at cutover.",
            "Had sync errors w/ previous vendor's ERP integration, wants references on {erp}.",
            "Multi-subsidiary {erp} setup, asked if we sync to each sub.",
            "Wants GL coding to flow back to {erp} automatically via the sync, no re-keying.",
            "Concerned about ERP sync latency - needs paid status reflected in {erp} same day.",
        ],
        rep_replies=[
            "We have a native two-way sync with {erp}, so vendors, bills and payments all flow both ways every few minutes.",
            "Yep, and our SE can walk your admin through the field mapping and the sync settings.",
            "That's one of our strongest areas. I can connect you with a reference on {erp} if that helps.",
        ],
    ),
    Theme(
        "approval_workflows", "steady", "Multi-step approval workflows and routing",
        "Approval workflows that route each bill to the right approver, with reminders and an audit trail", None,
        ["approval", "approvals", "approver", "approvers"],
        spoken=[
            "Approvals are a mess. Bills sit in somebody's inbox for two weeks because they forgot to approve them.",
            "We need anything over {amt} to go to the department head for approval, and anything over {amt2} to the CFO as well.",
            "Can the approval route change based on the department or the GL account on the bill?",
            "When an approver is on vacation, can they delegate so the bill doesn't just sit there waiting?",
            "Our managers won't log into another system. Can they approve bills straight from email or Slack?",
            "Right now approvals happen by someone walking the paper invoice around the office for signatures.",
            "Our auditors want to see who approved what and when. Is there a trail for every approval?",
            "I want approvers to get a reminder if a bill's been waiting on them for more than three days.",
            "We have a different approval chain for capital purchases versus regular operating spend.",
            "Can you set it up so the person who entered the bill can't also be the one approving it?",
            "The approval workflow in our current tool is hard-coded, so every time someone changes roles we rebuild the routing from scratch.",
            "Honestly I just want to see where every bill is in the approval chain without chasing people.",
            "Our regional managers approve their own locations' bills, then it rolls up to finance for a second approval.",
            "How many approval steps can you have? We have some bills that need four different approvers.",
            "We need an approval workflow that routes each bill to the right approver automatically, based on who owns the budget.",
            "What I want is for every bill to find its own way to the right approver instead of AP forwarding emails around.",
        ],
        terse=[
            "Wants multi-level approvals by amount threshold (>{amt} to VP, >{amt2} to CFO).",
            "Bills stuck waiting on approvers for 10+ days; no visibility into approval status.",
            "Asked about approval delegation when approvers are OOO.",
            "Needs approval routing by department / GL / location.",
            "Auditors flagged lack of an approval trail - big driver.",
            "Approve-from-email/mobile is a must for field managers who approve bills.",
            "Asked re: segregation of duties between bill entry and approval.",
            "Current approval process is paper + wet signatures. Wants a digital approval workflow.",
            "Separate approval chain for capex vs opex.",
            "Wants automatic reminders/escalation for overdue approvals.",
            "Wants an approval workflow that routes each bill to the right approver automatically (dept + amount).",
            "Approval routing is manual today - AP emails bills to whoever they think the approver is.",
        ],
        rep_replies=[
            "You can build that in our approval workflow builder, by amount, department, GL or location, as many steps as you need.",
            "Approvers can approve right from email or Slack, and delegation is built in for vacations.",
            "Every approval is logged with who and when, so your auditors get the full trail.",
        ],
    ),
    Theme(
        "month_end_close", "steady", "Faster month-end close",
        "Close the books at month end in days, not weeks", None,
        ["close", "month", "end", "books"],
        spoken=[
            "Our month-end close takes about {days} business days and the board wants it under five.",
            "The last week of every month is all hands on deck just to get the books closed.",
            "Accruals are the killer at month end. We're chasing department heads for unbilled spend on day three of close.",
            "If I could see what's been received but not billed yet, I could book accruals at month end without the guesswork.",
            "My team works until midnight the first few days of every month to close the books.",
            "The CFO's goal for next year is closing the month in three days. We're at eight right now.",
            "We keep finding bills after the books are closed and having to reopen the period.",
            "Honestly, closing the month is where all the pain shows up, because nothing is posted on time during the month.",
            "Our audit took twice as long this year because the month-end close files were all over the place.",
            "I want the month-end close to be boring. Right now it's a scramble every single month.",
            "Investors want monthly financials by the tenth, and with our close the way it is we just can't get the books done by then.",
            "Can I get a real-time view of committed spend so I'm not surprised when we close the month?",
            "Our quarter-end close is even worse, it took us almost three weeks to close the books in June.",
            "When we close the books, reconciling the AP subledger is always the last thing holding us up at month end.",
        ],
        terse=[
            "Month-end close currently {days} days, goal is 4.",
            "Close is delayed every month by late bills + manual accruals.",
            "Controller wants real-time spend visibility to speed up the month-end close.",
            "Team works late first week of every month closing the books.",
            "Had to reopen the Sept period twice - bills found after the books were closed.",
            "Board wants the monthly close done by BD5.",
            "Pain: accruals for received-not-billed goods at month end slow the close.",
            "Q2 close took ~3 wks, CFO says unacceptable for a month-end close.",
            "Asked how other customers shortened their month-end close by days.",
            "AP subledger recon is the bottleneck in their month-end close.",
        ],
        rep_replies=[
            "That's where customers feel it most. With spend and accruals visible in real time, most teams take two or three days off their close.",
            "A lot of our customers came to us for exactly that. Month end gets a lot calmer when nothing is stuck in someone's inbox.",
            "Happy to share how a customer about your size got their close from nine days to five.",
        ],
    ),
    Theme(
        "implementation_time", "steady", "Implementation and onboarding time",
        "Go live in under 30 days: a guided implementation with a dedicated onboarding manager", None,
        ["live", "implementation", "onboarding", "weeks"],
        spoken=[
            "How long does implementation usually take? Our last system took nine months to go live.",
            "We're a small team, we can't have an implementation that drags on for a quarter before we go live.",
            "Realistically, can onboarding be done and can we go live before our fiscal year starts in {fy_month}?",
            "Who does the setup work during onboarding, us or you? I don't have anyone to dedicate to the implementation.",
            "Our Coupa rollout was a nightmare, eighteen months and consultants everywhere. I can't go through an implementation like that again.",
            "Walk me through onboarding. In the first thirty days after we sign, are we actually live?",
            "I need to know how many hours a week my team will spend on onboarding before we go live.",
            "If we sign this month, how many weeks of implementation until our AP clerks go live on it?",
            "Do you have an implementation plan and a go-live timeline for a company our size?",
            "Onboarding is a big thing for us. How do you get twenty approvers trained without a month of sessions?",
            "We'd want to go live in phases, one entity first and the rest after. How many weeks would that rollout take?",
            "My worry is that the implementation stalls halfway and we're stuck running two systems instead of going live.",
            "A fast implementation, live in weeks, matters more to us than having every feature on day one.",
            "What's the fastest you've taken a company like ours from signature to go-live? Thirty days?",
            "If you can really get us live in under thirty days, with someone guiding the implementation, that changes everything.",
            "Is the implementation guided? We'd need someone walking us through it if we want to go live within a month.",
        ],
        terse=[
            "Concerned about implementation timeline - last system took 9 mo to go live.",
            "Needs implementation done and to go live by {fy_month} (fiscal year start).",
            "Asked who owns the setup work during onboarding; no internal resources for the implementation.",
            "Wants a go-live plan w/ dates before signing.",
            "Coupa implementation burned them (18 mo). Fast onboarding is a key criterion.",
            "Asked for a reference that finished onboarding and went live in under 30 days.",
            "Phased rollout: entity 1 first, then the rest. Asked how many weeks to go live.",
            "Worried about time commitment from AP team during implementation.",
            "Onboarding ~{n_appr} approvers - wants a training plan + go-live date.",
            "Time-to-value is top concern; wants onboarding done and live in weeks, not months.",
            "Wants a guided implementation - live in under 30 days is their bar.",
            "Asked what a guided onboarding looks like and whether 30 days to go live is realistic.",
        ],
        rep_replies=[
            "Our guided implementation gets most customers live in under thirty days, and we do the heavy lifting on setup.",
            "You'd get a dedicated onboarding manager and a week-by-week plan, usually about two hours a week from your side.",
            "Most customers your size are live in three to four weeks, and there's a plan for every one of those weeks.",
        ],
    ),
    Theme(
        "price_objection", "steady", "Seat price above budget",
        "Justify our price with ROI when it is over the customer's budget", None,
        ["price", "budget", "roi", "cost"],
        spoken=[
            "I'll be honest, the per-seat price is way above what we budgeted for this.",
            "At that price, I can't get this past our CFO. We set aside maybe half of that in the budget.",
            "Paying for a seat for every approver puts the price way over our budget. Most of them touch it twice a month.",
            "Bill.com came in about thirty percent cheaper, so you'll have to help me justify your price against our budget.",
            "The budget for this was set last year and your quote is well over it.",
            "Is there any flexibility on price if we sign for two years? Right now it's over our budget.",
            "Our CFO's first question is going to be why this costs more than what we pay for the ERP.",
            "We love the product, it's really just the price. It's over our budget for a company our size.",
            "Can you help me build the ROI case? Otherwise the cost is going to be a hard sell against our budget.",
            "Per-user pricing doesn't work for us, we have a hundred and fifty occasional approvers and I can't pay a seat for each.",
            "The implementation fee on top of the subscription price is what's killing the budget.",
            "We just had budget cuts across the board, so anything new has to cost less than what we have.",
            "Is that list price? Because it's a lot more than the number your colleague mentioned in July.",
            "Honestly, at {price} a seat the price is hard to justify, we'd rather keep doing it manually.",
            "If you can show me the ROI, maybe I can fight for more budget, but at this price I can't.",
            "Your price is over our budget. I'd need a real ROI case before our CFO even looks at it.",
            "I need you to justify the price. It's well over our budget, so show me the ROI.",
        ],
        terse=[
            "CFO pushed back on price - quote ~{pct}% over budget, wants to see the ROI.",
            "Price objection: per-seat cost for occasional approvers blows their budget.",
            "Competing quote from Bill.com ~30% lower; pressure on our price.",
            "Budget frozen for Q4; asked for discount or phased pricing.",
            "Asked for multi-year discount to get the price under budget.",
            "Wants an ROI model to justify the cost to the CFO.",
            "Sticker shock: implementation fee on top of the seat price puts them over budget.",
            "Says list price is too high for their size, wants usage-based pricing.",
            "Procurement asking for 20% off list price to fit budget.",
            "Price is the only blocker per VP Finance - over budget by ~{pct}%, needs ROI to justify it.",
            "Over budget on price; needs an ROI case to defend the spend internally.",
            "Price is above what they budgeted - CFO wants to see ROI before approving the spend.",
            "Needs us to justify the price vs their budget w/ an ROI case for the CFO.",
        ],
        rep_replies=[
            "I hear you. Let's put together the ROI case together, most teams your size pay for it in about five months.",
            "Let me go back to my team on the price, but first I'd like to show you what the time savings are worth.",
            "Understood. If I can show the ROI in hours saved and duplicate payments avoided, would that help with your CFO?",
        ],
    ),
    Theme(
        "ai_assistant", "emerging", "Generative AI assistant / copilot",
        None, "field_ahead",
        ["ai", "assistant", "copilot", "generative"],
        spoken=[
            "Is there any kind of AI assistant where I can just type a question like, how much did we spend on software last quarter, and get an answer?",
            "Our CEO keeps asking every vendor what their AI story is. Do you have a copilot or anything like that?",
            "I'd love a ChatGPT-style AI chatbot inside the product that my team can just ask questions.",
            "Everybody's talking about generative AI. Are you building an AI assistant into this?",
            "Could an AI agent read a vendor's email and draft the reply for my clerk? Is that on your AI roadmap?",
            "We've been rolling out AI copilots internally, and now leadership wants AI built into every tool we buy.",
            "What I really want is to ask the AI which vendors went up the most this year and have it just tell me.",
            "Do you have an AI copilot on the roadmap? Ramp showed us theirs last week and my CFO loved it.",
            "Our board asked us to show how we're using AI in finance this year, so an AI assistant would honestly help this deal.",
            "If the AI could explain an unusual bill in plain words, like a summary of what changed, that would be huge.",
            "Can we plug our own LLM into it, or do you provide the AI assistant yourselves?",
            "Does the product have any generative AI? Like a chat window where I ask things instead of building reports?",
            "We need an AI helper that answers our approvers' questions so they stop pinging AP all day.",
            "Honestly, an AI assistant is the thing that would get my team excited about switching.",
        ],
        terse=[
            "Asked if we have an AI assistant / copilot. Leadership mandate to adopt AI tools.",
            "Wants a ChatGPT-like AI chat to query spend by just asking.",
            "CFO asked about our generative AI roadmap - competitor demoed an AI copilot.",
            "Interested in an AI agent to answer approver questions + summarize bills.",
            "AI is a top-3 criterion this year per VP Finance; asked for our AI assistant.",
            "Asked whether they can bring their own LLM / OpenAI key to an AI feature.",
            "Board wants AI use cases in finance; asked for a demo of our AI assistant.",
            "No AI copilot = possible dealbreaker, they're comparing AI features across vendors.",
            "Wants an AI chatbot for 'what did we spend on X' questions.",
            "Asked for generative AI summaries of bill history; heard Ramp has an AI copilot.",
        ],
        rep_replies=[
            "That's a great question. We don't have an AI assistant in the product today, but I'll take it back to our product team.",
            "Not today, honestly. I've been hearing about AI copilots a lot lately, so I'll flag it internally.",
            "We don't offer that right now. Let me find out what's on the roadmap and get back to you.",
        ],
    ),
    Theme(
        "payment_fraud", "emerging", "Vendor bank-change and payment fraud protection",
        None, "field_ahead",
        ["fraud", "vendor", "bank", "payment"],
        spoken=[
            "We almost wired eighty grand to a fraudster last month. Someone spoofed a vendor's email and asked us to change their bank details.",
            "Is there anything that stops fraud when a vendor's bank account number changes? That's our biggest fear right now.",
            "Our insurance carrier is asking what fraud controls we have on vendor bank changes before they'll renew the policy.",
            "We had a business email compromise attempt, fake invoice, fake bank letter, the whole thing. Can you catch that kind of fraud?",
            "I need the system to verify a new vendor bank account before we ever pay to it. Payment fraud is getting scary.",
            "Two of our peers got hit with payment fraud this quarter, so our CFO wants vendor bank verification before anything else.",
            "Can it flag when a vendor's remittance details change right before a big payment? That's the classic fraud pattern.",
            "Our auditors asked how we'd catch a fraudulent vendor, like a fake company someone on the inside sets up to get paid.",
            "We got a very convincing email from a vendor saying they'd switched banks. It was fraud, and we caught it by pure luck.",
            "What fraud protection do you have on payments? Do you validate the account holder name against the bank?",
            "Honestly, fraud prevention on vendor payments jumped to the top of our list after the scam we had in September.",
            "These scam emails look perfect now, same logo, same signature. We need help spotting payment fraud before the money goes out.",
            "If someone changes a vendor's bank info, I want a second person to confirm it with the vendor before any payment is released, because of fraud.",
            "Do you have anything for check fraud or ACH fraud? We lost money on a washed check this summer.",
        ],
        terse=[
            "Nearly paid a fraudulent bank change request (~$80k). Wants vendor bank account verification.",
            "Asked about fraud detection on vendor bank account changes.",
            "BEC attempt last month - fake vendor invoice + new bank details. Payment fraud controls now top priority.",
            "Cyber insurer requires payment fraud controls; asked what we offer.",
            "Wants bank account ownership validation before first payment to a vendor (fraud).",
            "Peer company lost $200k to vendor impersonation fraud; CFO spooked.",
            "Asked if we flag remittance/bank detail changes before large payments - fraud concern.",
            "Auditors raised fake-vendor fraud risk; wants vendor bank verification.",
            "ACH fraud + check fraud both came up. Asked about positive pay.",
            "Fraud prevention on vendor payments jumped to #1 after a spoofed vendor email.",
        ],
        rep_replies=[
            "That's a scary one, and you're not the first to ask. We don't have dedicated fraud checks today, but let me take it to product.",
            "Honestly, bank verification isn't something we do natively right now. I'll find out whether it's coming.",
            "Good question. Let me check with our payments team what we can offer there and follow up.",
        ],
    ),
    Theme(
        "on_prem_deployment", "growing", "On-premise / self-hosted deployment requests",
        "We do not offer on-premise or self-hosted deployments", "off_strategy",
        ["prem", "premise", "hosted", "self", "servers"],
        spoken=[
            "Our IT director is going to ask whether we can run this on-premise, on our own servers.",
            "Is there a self-hosted version? Our policy is that financial systems stay on servers inside our own building.",
            "We're a defense subcontractor, so anything cloud-only is a tough sell. Can we install it on-prem?",
            "Could we deploy it in our own private cloud, in our Azure tenant, instead of your hosted environment?",
            "Our security team asked if there's an on-premises option we could run behind our firewall.",
            "The health system we're part of requires that this kind of software runs on servers we control, on-prem.",
            "Do you have customers running it on their own hardware? We'd need an on-prem install.",
            "Is there a version we can host ourselves? We're not allowed to put vendor data in someone else's cloud.",
            "If we can't install it on our own servers, IT is going to block this, I'm pretty sure.",
            "We still run everything on-premise, our accounting system included, so we'd want this on-prem too.",
            "Can we get it as a virtual appliance or containers that we self-host in our own environment?",
            "Our parent company just made a rule: no new SaaS for finance, it has to be self-hosted on our own servers.",
            "Would you ever offer an on-premise deployment? It's a hard requirement from our CIO.",
            "Can your software run in an air-gapped environment on our own on-prem infrastructure?",
        ],
        terse=[
            "IT requires on-prem deployment - asked if we have a self-hosted option.",
            "Asked about installing on their own servers behind the firewall (on-premise).",
            "CIO mandate: finance apps must be self-hosted. Potential blocker.",
            "Wants a private cloud deployment in their own Azure tenant, self-hosted by their IT.",
            "On-premise install is a hard requirement per their IT review.",
            "Asked for an on-prem / air-gapped version.",
            "Parent co. policy: no multi-tenant SaaS for financial data, must self-host on own servers.",
            "Asked if we ship a self-hosted container version they can run on-prem.",
            "Still all on-prem (incl. their accounting system); wants ours on their own servers too.",
            "Blocker: IT won't approve a cloud-hosted AP tool, needs on-premise.",
        ],
        rep_replies=[
            "We're cloud-only today, so we don't have an on-prem version. Let me see what we can share for your IT team.",
            "We don't do self-hosted installs. That said, I can get your IT folks on a call with our team.",
            "Understood. It's not something we offer, but let me check whether there's any flexibility there.",
        ],
    ),
]
THEME_BY_NAME = {t.name: t for t in THEMES}

# Mentions per theme per month (notes and customer turns together).
MONTHLY_PLAN = {
    "three_way_matching": {"2026-07": 15, "2026-08": 14, "2026-09": 15, "2026-10": 14},
    "erp_sync": {"2026-07": 14, "2026-08": 15, "2026-09": 14, "2026-10": 14},
    "approval_workflows": {"2026-07": 14, "2026-08": 14, "2026-09": 14, "2026-10": 14},
    "month_end_close": {"2026-07": 13, "2026-08": 14, "2026-09": 14, "2026-10": 13},
    "implementation_time": {"2026-07": 14, "2026-08": 13, "2026-09": 14, "2026-10": 14},
    "price_objection": {"2026-07": 14, "2026-08": 14, "2026-09": 13, "2026-10": 14},
    # Emerging: one early mention each (September), the rest from 2026-10-06 on.
    "ai_assistant": {"2026-07": 0, "2026-08": 0, "2026-09": 1, "2026-10": 38},
    "payment_fraud": {"2026-07": 0, "2026-08": 0, "2026-09": 1, "2026-10": 37},
    "on_prem_deployment": {"2026-07": 3, "2026-08": 4, "2026-09": 8, "2026-10": 32},
}

FILLS = {
    "n_inv": ["1,200", "2,500", "800", "3,000", "1,500", "4,000"],
    "hours": ["20", "30", "25", "40", "15"],
    "amt": ["$5,000", "$10,000", "$2,500", "five grand", "ten thousand"],
    "amt2": ["$50,000", "$25,000", "$100k", "fifty thousand"],
    "days": ["ten", "twelve", "eight", "nine", "11", "15"],
    "fy_month": ["January", "February", "April", "July"],
    "n_appr": ["25", "40", "60", "30", "120"],
    "price": ["sixty dollars", "$55", "fifty bucks", "$70"],
    "pct": ["30", "40", "25", "50", "35"],
}

SPOKEN_OPENERS = [
    "", "", "", "", "So, ", "Yeah, so ", "Honestly, ", "One thing I want to flag: ", "For us, ",
    "The other thing is, ", "Okay, so ", "I'll be upfront: ", "From my side, ", "Um, ",
    "Right, so ", "And just so you know, ", "Can I jump in? ", "Sorry, one more thing. ",
]
SPOKEN_CLOSERS = [
    "", "", "", "", " That's a big one for us.", " So yeah.", " Just so you know.",
    " We'd need to see that.", " Does that make sense?", " Anyway.",
    " That's probably the main thing.", " I'd want to understand that before we go further.",
]
KEEP_CASE = {"I", "Bill.com", "Tipalti", "Stampli", "Coupa", "Ramp", "Sage", "Dynamics", "Excel", "Slack",
             "Workato", "Microsoft", "January", "February", "April", "July"}
NOTE_PREFIXES = [
    "", "", "", "", "Call w/ {first}: ", "{first} ({title}): ", "Disco call - ", "Demo debrief. ",
    "Check-in w/ {first}. ", "Per {first}: ", "Email from {first}: ", "Mtg w/ {first} + team: ",
    "Follow-up call. ", "Quick sync w/ {first} - ",
]
NOTE_SUFFIXES = [
    "", "", "", "", " Next step: {next}.", " Follow up {day}.", " Looping in SE.",
    " Sent recap.", " {first} to confirm internally.", " Will revisit after the demo.",
    " Need to get {first2} involved.", " Flagged to manager.",
]
BULLET_PREFIXES = ["", "", "", "{first}: ", "{title}: ", "Pain: ", "Re: ", "Biggest issue: ", "Also: "]
BULLET_SUFFIXES = ["", "", "", " ({first})", " - confirmed w/ {first2}", " (raised twice)", " - need to dig in",
                   " - {first2} agreed"]
NEXT_STEPS = [
    "send ROI calculator", "schedule technical deep dive", "send customer references",
    "book demo for the AP team", "share implementation plan", "send order form",
    "intro to SE", "send recap + deck", "get the CFO on a call", "send mutual action plan",
]
DAYS = ["Tuesday", "Wednesday", "Thursday", "Friday", "next Monday", "next week", "EOW", "after QBR"]

NOISE_NOTES = [
    "Left voicemail for {first}, will try again {day}.",
    "Sent recap email + deck to {first} and {first2}.",
    "Rescheduled demo to {day} per {first}.",
    "Intro call booked with {first} ({title}).",
    "Sent MSA and order form for review.",
    "No-show today. Rebooked for {day}.",
    "Contract redlines back from their legal. Reviewing with our counsel.",
    "{first} out on PTO until {day}; pausing outreach.",
    "Sent calendar invite for the technical deep dive with {first2}.",
    "Emailed {first} the case study they asked for.",
    "Reached {first}'s assistant, {first} is traveling this week.",
    "Internal deal review. Forecast category: {forecast}.",
    "Mutual action plan shared; {first} to add their dates.",
    "{first} confirmed they got the proposal. Reviewing with {first2}.",
    "Sent follow-up on the open questions from the last call.",
    "Updated close date to {close}. Champion is {first}.",
    "Booked onsite visit for {day}.",
    "Met {first} at the regional finance meetup, good rapport.",
    "Sent W-9 and vendor setup forms to their procurement team.",
    "Pinged {first} on LinkedIn, no reply yet.",
    "{first2} is the new economic buyer; {first} still champion.",
    "Quick email check-in, nothing new. Waiting on their side.",
    "Sent NDA for signature.",
    "Renewal conversation started early. {first} happy with adoption so far.",
]
NOISE_TAILS = ["", "", "", "", " Will check back.", " Nothing else to log.", " FYI.", " Waiting on them.",
               " Updated next step date.", " Told {first2}.", " cc {first2}.", " Logged from the road."]
PII_NOTES = [
    "{first} gave a direct line for follow-up: reach {first} at {email}.",
    "Sent the order form. {first} said to text the cell, 617-555-0142, if the signer has questions.",
    "New champion {first}. Best email is {email}, not the generic AP inbox.",
]

# --------------------------------------------------------------------------
# Call texture
# --------------------------------------------------------------------------

GREETINGS: list[tuple[str, list[str]]] = [
    ("Hi {c}, can you hear me okay?", ["Yep, loud and clear.", "Hi! Yes, I can hear you.",
                                       "Sorry, I was on mute. Yes, I can hear you fine."]),
    ("Hey everyone, thanks for joining.", ["Hi! Thanks for having us.", "Hey, sorry I'm a couple minutes late.",
                                           "Hi there."]),
    ("Morning {c}! Can you hear me alright?", ["Morning! Yep, all good.", "Yes, loud and clear.",
                                               "Sorry, I was on mute. Yes, I can hear you."]),
    ("Hi all. I think we're just waiting on {c2}, but let's get started.", [
        "Sounds good. I think {c2} is running a few minutes late.", "Hi! Yeah, let's start."]),
    ("Hey {c}, good to see you again.", ["Good to see you too!", "Hey! Likewise."]),
    ("Hi {c}, thanks for making the time today.", ["Of course, happy to.",
                                                   "Sure thing. Sorry, I'm a couple of minutes late."]),
]
SMALL_TALK: list[tuple[str, list[str]]] = [
    ("How was your weekend?", ["Good, thanks. Kids had a soccer tournament, so it was pretty busy.",
                               "Good, good. Too short, as always.", "Oh, it was great. We went up to the lake.",
                               "Pretty quiet, which was nice."]),
    ("How's your week going so far?", ["Honestly, it's been a week. But good.",
                                       "Busy, we're in the middle of audit prep.", "Not bad, thanks. Yours?"]),
    ("How's the weather over there? It's pouring here.", ["Not bad. It's finally cooling off a bit here.",
                                                          "Sunny for once, so no complaints.",
                                                          "Same here, actually. It hasn't stopped all day."]),
    ("Busy week?", ["It's been busy, we're in the middle of audit prep.", "Always. But good busy.",
                    "Not too bad, actually."]),
]
REP_SMALL_TALK_REACTIONS = ["I hear you.", "Ha, fair enough.", "Ha, I know the feeling.", "Nice."]
CUST_JOINS = [
    "Hi, sorry, I was on mute. {c2} here too.", "Sorry, my video isn't working, but I'm here.",
    "Hey, joining from my car, so I might drop for a sec.", "Hi everyone, sorry, the last meeting ran over.",
]
REP_AGENDAS = [
    "So for today I was thinking we'd do quick intros, I'll ask a few questions about how your team works today, and then show you the product. Sound okay?",
    "Here's what I had in mind: fifteen minutes on what you're trying to fix, then Ethan can walk you through a demo. Does that work?",
    "The goal today is to pick up where we left off last time and go through the open questions. Anything you want to add to the agenda?",
    "I've got us down for thirty minutes. I'd like to recap what we heard last time, show a couple of things, and agree on next steps.",
    "Today I mostly want to listen. Walk me through how things work on your side, and then we'll figure out if a demo makes sense.",
]
CUST_AGENDA_REPLIES = [
    "Sounds good.", "That works.", "Yeah, perfect.", "Works for me.", "Sure, let's do it.",
    "Sounds good. I have a hard stop at the top of the hour.",
]
# Discovery questions, each with answers that fit it (none of them carries a theme).
REP_QA: list[tuple[str, list[str]]] = [
    ("Walk me through what happens today when a bill lands in your inbox.", [
        "Most of our bills come in through one shared inbox, and then one of the clerks keys them in.",
        "Honestly, it gets printed, coded by hand and keyed in. It's very manual.",
        "It depends on the location. Every office does things a bit differently, since we grew through acquisitions."]),
    ("Who's involved on your side when a decision like this gets made?", [
        "{c2} and I would make the call, and then our CEO signs off.",
        "Our controller would be involved, and probably someone from IT at the end.",
        "Mostly me, but the CFO has the final say."]),
    ("What made you start looking now?", [
        "A new CFO started in the spring, and she's asking a lot of questions about how we do things.",
        "We're growing about twenty percent a year, so whatever we do now has to scale.",
        "Our fiscal year just started, so there's some appetite for change."]),
    ("What does success look like six months from now?", [
        "Success would be my team going home at five.",
        "Visibility, mostly. Knowing where things stand without asking around.",
        "Fewer spreadsheets and fewer surprises, honestly."]),
    ("Roughly how many bills do you process in a typical month?", [
        "Somewhere around a thousand bills a month, give or take.",
        "It really depends on the month. Somewhere between eight hundred and two thousand.",
        "Hmm. I'd have to check with {c2} on that one."]),
    ("Which systems does your team live in day to day?", [
        "Mostly email and spreadsheets, if I'm honest.",
        "Our accounting system, Excel, and a lot of email.",
        "Outlook and Excel, and a shared drive nobody can find anything in."]),
    ("What have you tried so far?", [
        "We looked at a couple of tools last year, but the timing wasn't right.",
        "Honestly, we haven't tried much. It's been the same process for ten years.",
        "A few macros someone wrote years ago. They mostly work."]),
    ("If you could wave a magic wand, what's the one thing you'd fix first?", [
        "Ha. Good question. Let me think about that.",
        "Getting my team out of their inboxes.",
        "Knowing where everything stands without having to ask."]),
    ("Who else should we bring into the next conversation?", [
        "Probably {c2}, and maybe someone from IT.",
        "Our CFO, once we're a bit further along.",
        "I'll have to take this back to the team first, obviously."]),
    ("How's your team structured today?", [
        "We're about {emp} people, and finance is {fin} of us.",
        "It's me, {c2}, and two clerks, basically.",
        "We have a small central team and a bookkeeper at each location."]),
    ("What's the timeline you're working toward?", [
        "We'd like to have something picked by the end of the year.",
        "No hard deadline, but sooner is better.",
        "We're pretty early in this, just trying to understand what's out there."]),
    ("How long have you been in your role?", [
        "I've been here about two years, came over from a public accounting firm.",
        "Going on six years now.", "Just over a year. I came in when the old controller retired."]),
    ("How big is the company these days?", [
        "We're about {emp} people, spread over a few sites.", "Around {emp} employees, and still hiring.",
        "About {emp}, give or take."]),
]
THEME_LEADINS = [
    "What's the biggest pain point right now?", "What else is on your mind?",
    "Any other requirements I should know about?", "Is there anything else on your list I haven't asked about?",
    "What would make this a no-brainer for you?", "Anything that would stop this from moving forward?",
    "What's the first question your CFO is going to ask?",
]
CUST_INTERJECTIONS = [
    "Sorry, someone's at my door, one sec.", "Sorry, can you repeat that? I lost you for a second.",
    "I'm going to drop at quarter past, just so you know.", "Sorry, go ahead.", "Let me pull up my notes real quick.",
]
CUST_ADDONS = [
    "Yeah, and to add to that, it's been that way since before I joined.", "Same on my side, honestly.",
    "I'd agree with that.", "Plus one to that.", "Yeah, that's fair.", "Yeah, that's about right.",
]
CUST_FILLERS = [
    "Okay.", "Yeah.", "Mm-hmm.", "Got it.", "Makes sense.", "Sure.", "Right.", "Yep.", "Okay, cool.",
    "That's helpful.", "Interesting.", "Oh, nice.", "Uh-huh.", "Yeah, that makes sense.", "Okay, great.",
]
REP_ACKS = ["Got it, that's helpful.", "Okay, that makes sense.", "Interesting. Thanks.", "Good to know.",
            "Perfect, that's what I wanted to understand."]
REP_DEMO_NARRATION = [
    "I'll click into this one.", "You can see the status right here.", "This column is the due date.",
    "Nothing here is custom, by the way, this is what you get out of the box.",
    "Let me scroll down a little.", "Give it a second to load.", "So that's the basic flow.",
    "You can filter by vendor, by entity or by owner.", "Everything you see here is searchable.",
    "If I hover over this, it shows the full history.", "This is a sandbox, so the data is made up.",
    "I'll come back to that in a minute.", "And this little icon means there's a comment on it.",
    "Your admin controls who can see which entities.", "We can export this view in one click.",
    "The dashboard refreshes every few minutes.", "That's the same screen your clerks would use.",
    "Let me zoom in so it's easier to read.", "So far so good?", "I'm going to skip ahead a little.",
    "These tags are fully configurable.", "Over here you'd see anything that needs your attention today.",
]
REP_DEMO_START = "Okay, I'm sharing my screen now. Can everyone see the dashboard?"
REP_DEMO_STOP = "Let me stop sharing for a second so I can see everyone."
REP_DEMO = [
    "So this is the inbox. Every bill that comes in by email lands here, and we pull out the vendor, the amount and the line items.",
    "Over on the right you can see the coding. It learns from your history, so after a few weeks most bills come in pre-coded.",
    "And this is the vendor portal, where vendors can check the status of their payments themselves.",
    "Here's the payments screen. You can batch ACH, check and virtual card in one run.",
    "This view is what your controller would see: everything open, by status, by entity, by owner.",
    "If I click into this bill you can see the full history, who touched it, when, and any comments.",
    "And reporting is all here. You can export anything to Excel, or schedule it to go out every Monday.",
    "Let me show you the mobile view quickly, since you mentioned managers on the road.",
]
REP_UNHEARD_PITCH = [
    "And one more thing our customers like: we offer 24/7 live phone support in twelve languages, so your team is never stuck.",
    "Also worth mentioning, our support line is staffed around the clock, with agents in twelve languages.",
    "Last thing on service: live phone support twenty-four seven, in twelve languages, included in every plan.",
]
REP_NEXT_STEPS = [
    "So for next steps, I'll send over a recap and the ROI worksheet, and let's get the technical deep dive on the calendar.",
    "I'll follow up by email with the notes from today and a couple of times for the next session.",
    "Next step on my side is the proposal. Can we get thirty minutes with your CFO next week?",
    "I'll send the mutual action plan tonight. If you can add your dates, we'll lock it in.",
    "Let me get you those references and the implementation plan by Friday.",
]
CUST_NEXT_REPLIES = [
    "Sounds good.", "Perfect, that works.", "Great, send it over.", "Yeah, let's do that.",
    "Okay. I'll check with {c2} on timing.", "That works for us.",
]
REP_CLOSINGS = ["Thanks everyone, really appreciate the time.", "Great, talk soon. Have a good one.",
                "Thanks all. Enjoy the rest of your day.", "Perfect. Thanks, everyone."]
CUST_CLOSINGS = ["Thanks, you too.", "Thanks everyone.", "Bye.", "Thanks, bye.", "Take care.", "Thank you!"]

GONG_TOPICS = {"open": "Call Setup", "small": "Small Talk", "agenda": "Call Setup", "disc": "Discovery",
               "demo": "Product Demo", "theme": "Discovery", "close": "Next Steps"}
THEME_GONG_TOPIC = {"price_objection": "Pricing", "erp_sync": "Integrations", "implementation_time": "Implementation"}


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

CHECK = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def sf_id(rng: random.Random, prefix: str, used: set[str]) -> str:
    """An 18-character Salesforce id with a valid case-safe checksum suffix."""
    while True:
        base = prefix + "5g00000" + "".join(rng.choice(ALNUM) for _ in range(5))
        suffix = ""
        for i in range(3):
            chunk = base[i * 5:(i + 1) * 5]
            bits = sum(1 << j for j, ch in enumerate(chunk) if "A" <= ch <= "Z")
            suffix += CHECK[bits]
        full = base + suffix
        if full not in used:
            used.add(full)
            return full


def fill(rng: random.Random, text: str, **extra: str) -> str:
    keys = re.findall(r"\{(\w+)\}", text)
    values = {k: rng.choice(FILLS[k]) for k in keys if k in FILLS}
    values.update(extra)
    return text.format(**values)


def join_opener(opener: str, core: str) -> str:
    """Opener + core, lowercasing the core's first word unless a sentence ended or it is a name."""
    if not opener:
        return core
    first = core.split()[0].rstrip(",.:?")
    if (not opener.rstrip().endswith((".", "?", "!")) and first[0].isupper() and first[1:] == first[1:].lower()
            and first.split("'")[0] not in KEEP_CASE):
        core = core[0].lower() + core[1:]
    return opener + core


def pick_contact(rng: random.Random, contacts: list[Contact], theme: str) -> Contact:
    """Who raises a theme: IT for deployment questions, finance people for the rest (mostly)."""
    it = [c for c in contacts if c.title == "IT Director"]
    finance = [c for c in contacts if c.title != "IT Director"]
    if theme == "on_prem_deployment" and it and rng.random() < 0.7:
        return it[0]
    return rng.choice(finance if finance and rng.random() < 0.9 else contacts)


def business_day(rng: random.Random, lo: dt.date, hi: dt.date) -> dt.date:
    while True:
        d = lo + dt.timedelta(days=rng.randint(0, (hi - lo).days))
        if d.weekday() < 5:
            return d


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    y, m = (int(p) for p in month.split("-"))
    lo = dt.date(y, m, 1)
    hi = (dt.date(y, m + 1, 1) if m < 12 else dt.date(y + 1, 1, 1)) - dt.timedelta(days=1)
    return max(lo, START), min(hi, END)


def slot_window(theme: Theme, month: str) -> tuple[dt.date, dt.date]:
    lo, hi = month_bounds(month)
    if theme.kind == "emerging" and month == "2026-10":
        lo = dt.date(2026, 10, 7)  # a note's ActivityDate may fall a day before: still >= 10-06
    if theme.name == "on_prem_deployment" and month == "2026-10":
        lo = dt.date(2026, 10, 5)
    return lo, hi


def month_of(d: dt.date) -> str:
    return d.strftime("%Y-%m")


def split_sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.?!])\s+(?=[A-Z0-9\"'])", text.strip())
    return [p for p in parts if p]


def fmt_ts(seconds: float, sep: str = ".") -> str:
    ms = int(round(seconds * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


# --------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------


@dataclass
class Turn:
    speaker: str
    text: str
    section: str
    theme: str | None = None
    start: float = 0.0
    end: float = 0.0


@dataclass
class Call:
    call_id: str
    fmt: str
    started_at: dt.datetime
    account: Account
    reps: list[str]
    customers: list[Contact]
    stage: str
    themes: list[str]
    turns: list[Turn] = field(default_factory=list)
    gong_file: str | None = None
    gong_call_id: str | None = None


@dataclass
class Note:
    note_id: str
    subject: str
    activity_date: dt.date
    created: dt.datetime
    description: str
    account: Account
    owner: str
    themes: list[str]


class Generator:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.used_ids: set[str] = set()
        self.used_texts: set[str] = set()
        self.rep_user_ids: dict[str, str] = {}
        self.accounts: list[Account] = []
        self.calls: list[Call] = []
        self.notes: list[Note] = []
        self.mentions: list[tuple[str, str, dt.date, str, str]] = []  # theme, source, date, account, doc

    # -- people and accounts ---------------------------------------------
    def make_accounts(self) -> None:
        rng = self.rng
        for name, _ in REPS:
            self.rep_user_ids[name] = sf_id(rng, "005", self.used_ids)
        names_used = {n for n, _ in REPS}
        outcomes = ["won"] * 10 + ["lost"] * 7 + ["open"] * 18
        rng.shuffle(outcomes)
        for i, (name, segment, employees) in enumerate(ACCOUNTS):
            contacts: list[Contact] = []
            titles = rng.sample(TITLES, 4)
            if "CFO" not in titles and "VP Finance" not in titles:
                titles[0] = "CFO"
            for title in titles:
                while True:
                    person = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                    first = person.split()[0]
                    if person not in names_used and all(c.first != first and c.name.split()[1] != person.split()[1] for c in contacts):
                        names_used.add(person)
                        break
                contacts.append(Contact(person, title))
            outcome = outcomes[i]
            final_stage = {"won": "Closed Won", "lost": "Closed Lost"}.get(outcome, rng.choice(STAGES[1:]))
            amount = rng.randrange(18_000, 160_000, 500)
            if segment == "SMB":
                amount = rng.randrange(9_000, 30_000, 500)
            self.accounts.append(Account(
                name=name, segment=segment, employees=employees,
                account_id=sf_id(rng, "001", self.used_ids), opportunity_id=sf_id(rng, "006", self.used_ids),
                owner=AES[i % len(AES)], erp=rng.choice(ERPS), contacts=contacts,
                final_stage=final_stage, outcome=outcome, amount=amount))

    # -- mention texts ------------------------------------------------------
    def _unique(self, make) -> str:
        for _ in range(200):
            text = make()
            if text not in self.used_texts:
                self.used_texts.add(text)
                return text
        raise RuntimeError("could not find a unique phrasing")

    def spoken_mention(self, theme: Theme, account: Account) -> str:
        rng = self.rng

        def make() -> str:
            core = fill(rng, rng.choice(theme.spoken), erp=account.erp)
            closer = rng.choice(SPOKEN_CLOSERS)
            if closer == " Does that make sense?" and core.endswith("?"):
                closer = ""
            return join_opener(rng.choice(SPOKEN_OPENERS), core) + closer

        return self._unique(make)

    def note_mention(self, theme: Theme, account: Account, c: Contact, c2: Contact, bullet: bool) -> str:
        rng = self.rng

        def make() -> str:
            if not bullet and rng.random() < 0.18:
                core = fill(rng, rng.choice(theme.spoken), erp=account.erp)
                return f'{c.first} ({c.title}) said: "{core}"'
            core = fill(rng, rng.choice(theme.terse), erp=account.erp)
            if bullet:
                if rng.random() < 0.15:
                    core = fill(rng, rng.choice(theme.spoken), erp=account.erp)
                    return f'{c.first}: "{core}"'
                prefix = rng.choice(BULLET_PREFIXES).format(first=c.first, title=c.title)
                return prefix + core + rng.choice(BULLET_SUFFIXES).format(first=c.first, first2=c2.first)
            prefix = rng.choice(NOTE_PREFIXES).format(first=c.first, title=c.title)
            if core.startswith("Asked ") and rng.random() < 0.5:
                prefix, core = rng.choice(["Customer ", f"{c.title} ", f"{c.first} "]), "asked " + core[len("Asked "):]
            suffix = rng.choice(NOTE_SUFFIXES).format(
                next=rng.choice(NEXT_STEPS), day=rng.choice(DAYS), first=c.first, first2=c2.first)
            return prefix + core + suffix

        return self._unique(make)

    # -- calls ----------------------------------------------------------------
    def plan_calls(self) -> None:
        rng = self.rng
        formats = ["teams"] * 16 + ["zoom"] * 16 + ["srt"] * 4 + ["gong"] * 3 + ["txt"] * 3
        rng.shuffle(formats)
        n = len(formats)
        span = (END - START).days
        account_order = self.accounts[:]
        rng.shuffle(account_order)
        account_order += rng.sample(self.accounts, n - len(account_order))
        rng.shuffle(account_order)
        remaining = {t.name: dict(MONTHLY_PLAN[t.name]) for t in THEMES}
        calls_per_account: Counter[str] = Counter()
        for i, fmt in enumerate(formats):
            day = START + dt.timedelta(days=int((i + rng.uniform(0.1, 0.9)) * span / n))
            while day.weekday() >= 5:
                day += dt.timedelta(days=1)
            if day > END:
                day = END
            hour = rng.choice([14, 15, 16, 17, 18, 19, 20])
            started = dt.datetime(day.year, day.month, day.day, hour, rng.choice([0, 0, 0, 30, 30, 15]))
            account = account_order[i]
            calls_per_account[account.name] += 1
            k = calls_per_account[account.name]
            stage = STAGES[min(k - 1 + rng.randint(0, 2), len(STAGES) - 1)]
            reps = [account.owner]
            if stage in ("Demo", "Evaluation") or rng.random() < 0.25:
                reps.append(rng.choice(SES))
            customers = rng.sample(account.contacts, rng.choice([2, 2, 3]))
            month = month_of(day)
            candidates = []
            for t in THEMES:
                if remaining[t.name][month] <= 0:
                    continue
                if t.kind == "emerging" and (day < EMERGING_FROM or month != "2026-10"):
                    continue
                if t.kind == "emerging" and day < dt.date(2026, 10, 7):
                    continue
                if t.name == "on_prem_deployment" and month == "2026-10" and day < dt.date(2026, 10, 5):
                    continue
                candidates.append(t.name)
            n_themes = rng.choice([2, 3, 3, 4])
            chosen: list[str] = []
            while candidates and len(chosen) < n_themes:
                weights = [remaining[c][month] for c in candidates]
                pick = rng.choices(candidates, weights=weights)[0]
                candidates.remove(pick)
                chosen.append(pick)
                remaining[pick][month] -= 1
            call_id = f"{day.isoformat()}_{slugify(account.name)}_{stage.lower()}"
            self.calls.append(Call(call_id, fmt, started, account, reps, customers, stage, chosen))
        self.remaining = remaining
        # Gong: first two gong calls share one export file, the third is alone.
        gong_calls = [c for c in self.calls if c.fmt == "gong"]
        for c in gong_calls:
            c.gong_call_id = str(rng.randrange(10**18, 10**19))
        pair_file = f"gong-export-{gong_calls[1].started_at.date().isoformat()}"
        for c in gong_calls[:2]:
            c.gong_file = pair_file
            c.call_id = f"{pair_file}-{c.gong_call_id}"
        solo = gong_calls[2]
        solo.gong_file = f"gong-{solo.call_id}"
        solo.call_id = solo.gong_file
        ids = [c.call_id for c in self.calls]
        assert len(ids) == len(set(ids)), "duplicate call ids"

    def script_call(self, call: Call, pitch_unheard: int | None) -> None:
        rng = self.rng
        rep = call.reps[0]
        se = call.reps[1] if len(call.reps) > 1 else None
        custs = call.customers
        c1, c2 = custs[0], custs[1]
        turns: list[Turn] = []

        def rep_say(text: str, section: str, who: str | None = None) -> None:
            turns.append(Turn(who or rep, text.format(c=c1.first, c2=c2.first), section))

        def cust_say(text: str, section: str, who: Contact | None = None, theme: str | None = None) -> None:
            who = who or rng.choice(custs)
            turns.append(Turn(who.name, text.format(c=c1.first, c2=c2.first, emp=f"{call.account.employees:,}",
                                                    fin=rng.choice([6, 8, 11, 14, 22])), section, theme))

        greeting, replies = rng.choice(GREETINGS)
        rep_say(greeting, "open")
        cust_say(rng.choice(replies), "open", c1)
        if rng.random() < 0.6:
            cust_say(rng.choice(CUST_JOINS), "open", c2)
        small_talk, replies = rng.choice(SMALL_TALK)
        rep_say(small_talk, "small")
        cust_say(rng.choice(replies), "small", c1)
        if rng.random() < 0.5:
            rep_say(rng.choice(REP_SMALL_TALK_REACTIONS), "small")
        agenda = rng.choice(REP_AGENDAS)
        if "Ethan" in agenda and se != "Ethan Walsh":
            agenda = agenda.replace("Ethan can walk you", "I can walk you")
        rep_say(agenda, "agenda")
        cust_say(rng.choice(CUST_AGENDA_REPLIES), "agenda", c1)

        target = rng.randint(22, 48)
        questions = rng.sample(REP_QA, len(REP_QA))
        leadins = rng.sample(THEME_LEADINS, len(THEME_LEADINS))
        n_demo = rng.randint(3, 7) if call.stage != "Discovery" or rng.random() < 0.4 else 0
        demo = [REP_DEMO_START] + rng.sample(REP_DEMO, max(0, n_demo - 2)) + [REP_DEMO_STOP] if n_demo else []
        fillers = rng.sample(CUST_FILLERS, len(CUST_FILLERS))
        themes = list(call.themes)
        rng.shuffle(themes)
        closing_turns = 5
        # Leave room for themes (up to 4 turns each) and the close.
        budget_body = max(4, target - len(turns) - closing_turns - 3 * len(themes))
        pitched = False
        body_slots = ["q"] * max(2, (budget_body - 2 * n_demo) // 2) + ["demo"] * n_demo
        theme_positions = sorted(rng.sample(range(len(body_slots) + 1), len(themes))) if themes else []
        for pos in range(len(body_slots) + 1):
            while theme_positions and theme_positions[0] == pos:
                theme_positions.pop(0)
                name = themes.pop(0)
                theme = THEME_BY_NAME[name]
                if rng.random() < 0.5 and leadins:
                    rep_say(leadins.pop(), "disc")
                speaker = pick_contact(rng, custs, name)
                cust_say(self.spoken_mention(theme, call.account), "theme", speaker, name)
                self.mentions.append((name, "call", call.started_at.date(), call.account.name, call.call_id))
                responder = se if (se and rng.random() < 0.4) else rep
                rep_say(fill(rng, rng.choice(theme.rep_replies), erp=call.account.erp), "theme", responder)
                if rng.random() < 0.75:
                    cust_say(fillers.pop() if fillers else "Okay.", "theme", speaker)
            if pos == len(body_slots):
                break
            if body_slots[pos] == "q" and questions:
                question, answers = questions.pop()
                rep_say(question, "disc")
                answerer = rng.choice(custs)
                cust_say(rng.choice(answers), "disc", answerer)
                if rng.random() < 0.3:
                    cust_say(rng.choice(CUST_ADDONS), "disc", rng.choice([x for x in custs if x is not answerer]))
                if rng.random() < 0.06:
                    cust_say(rng.choice(CUST_INTERJECTIONS), "disc")
                if rng.random() < 0.12:
                    rep_say(rng.choice(REP_ACKS), "disc")
            elif body_slots[pos] == "demo" and demo:
                line = demo.pop(0)
                if line not in (REP_DEMO_START, REP_DEMO_STOP):
                    line += " " + " ".join(rng.sample(REP_DEMO_NARRATION, rng.randint(2, 7)))
                rep_say(line, "demo", se or rep)
                if rng.random() < 0.8:
                    cust_say(fillers.pop() if fillers else "Okay.", "demo")
                if pitch_unheard is not None and not pitched:
                    rep_say(REP_UNHEARD_PITCH[pitch_unheard], "demo")
                    cust_say("Okay.", "demo", c1)
                    pitched = True
        if pitch_unheard is not None and not pitched:
            rep_say(REP_UNHEARD_PITCH[pitch_unheard], "disc")
            cust_say("Got it.", "disc", c1)
        rep_say(rng.choice(REP_NEXT_STEPS), "close")
        cust_say(rng.choice(CUST_NEXT_REPLIES), "close", c1)
        rep_say(rng.choice(REP_CLOSINGS), "close")
        cust_say(rng.choice(CUST_CLOSINGS), "close", c1)
        if rng.random() < 0.6:
            cust_say(rng.choice(CUST_CLOSINGS), "close", c2)
        # Timing: ~2.5 words a second, short gaps, longer pauses now and then.
        t = rng.uniform(0.5, 3.0)
        for turn in turns:
            words = len(turn.text.split())
            dur = max(0.6, words / rng.uniform(2.2, 2.9)) + rng.uniform(0.1, 0.6)
            turn.start, turn.end = round(t, 3), round(t + dur, 3)
            t += dur + rng.uniform(0.2, 1.6)
            if rng.random() < 0.08:
                t += rng.uniform(5, 25)
            if turn.section == "demo" and turn.speaker in call.reps:
                t += rng.uniform(10, 90)  # silence while people look at the shared screen
        call.turns = turns

    # -- notes ----------------------------------------------------------------
    def make_notes(self) -> None:
        rng = self.rng
        slots: list[tuple[str, dt.date]] = []
        for t in THEMES:
            for month in MONTHS:
                for _ in range(self.remaining[t.name][month]):
                    lo, hi = slot_window(t, month)
                    if t.kind == "emerging" and month == "2026-09":
                        lo, hi = dt.date(2026, 9, 8), dt.date(2026, 9, 25)
                    slots.append((t.name, business_day(rng, lo, hi)))
        rng.shuffle(slots)
        # Pair some slots of the same month into one two-theme note.
        groups: list[list[tuple[str, dt.date]]] = []
        pending: dict[str, tuple[str, dt.date]] = {}
        for slot in slots:
            month = month_of(slot[1])
            other = pending.get(month)
            if other and other[0] != slot[0]:
                del pending[month]
                groups.append([other, slot])
            elif rng.random() < 0.07 and month not in pending:
                pending[month] = slot
            else:
                groups.append([slot])
        groups.extend([s] for s in pending.values())
        for group in groups:
            d = max(s[1] for s in group)
            account = rng.choice(self.accounts)
            self.add_theme_note(account, d, [s[0] for s in group])
        # Noise notes: evenly spread over the four months.
        pii_left = list(PII_NOTES)
        for i in range(N_NOISE_NOTES):
            month = MONTHS[i % 4]
            lo, hi = month_bounds(month)
            d = business_day(rng, lo, hi)
            account = rng.choice(self.accounts)
            c, c2 = rng.sample(account.contacts, 2)
            pii = pii_left.pop(0) if pii_left and i % 29 == 11 else None
            email = f"{c.first.lower()}.{c.name.split()[1].lower().replace(chr(39), '')}@{slugify(account.name)}.com"

            def make() -> str:
                template = pii or rng.choice(NOISE_NOTES)
                tail = "" if pii else rng.choice(NOISE_TAILS)
                return (template + tail).format(
                    first=c.first, first2=c2.first, title=c.title, day=rng.choice(DAYS), email=email,
                    forecast=rng.choice(["Pipeline", "Best Case", "Commit"]),
                    close=(d + dt.timedelta(days=rng.randint(20, 80))).isoformat())

            text = self._unique(make)
            subject = ("Left VM" if text.startswith("Left voicemail") else "Internal" if text.startswith("Internal")
                       else rng.choice(["Email", "Follow-up", "Task", "Call", "Email"]))
            self.notes.append(self._note(account, d, subject, text, []))
        self.notes.sort(key=lambda n: (n.created, n.note_id))

    def add_theme_note(self, account: Account, d: dt.date, names: list[str]) -> None:
        rng = self.rng
        c = pick_contact(rng, account.contacts, names[0])
        c2 = rng.choice([x for x in account.contacts if x is not c])
        multi = len(names) > 1 or rng.random() < 0.22
        if multi:
            lines = [rng.choice([f"Call w/ {c.first} ({c.title})", f"Discovery call - {c.first}, {c2.first}",
                                 f"Demo follow-up w/ {c.first}", f"Notes from mtg w/ {c.first} & {c2.first}",
                                 f"{c.first} / {c2.first} check-in"])]
            for name in names:
                lines.append("- " + self.note_mention(THEME_BY_NAME[name], account, c, c2, bullet=True))
            lines.append("- Next steps: " + rng.choice(NEXT_STEPS))
            text = "\n".join(lines)
        else:
            text = self.note_mention(THEME_BY_NAME[names[0]], account, c, c2, bullet=False)
        subject = rng.choice(["Call", "Discovery call", "Demo follow-up", "Meeting", "Email",
                              f"Call - {c.first}", "Check-in", "Call notes"])
        note = self._note(account, d, subject, text, names)
        self.notes.append(note)
        for name in names:
            self.mentions.append((name, "note", note.created.date(), account.name, note.note_id))

    def _note(self, account: Account, d: dt.date, subject: str, text: str, names: list[str]) -> Note:
        rng = self.rng
        created = dt.datetime(d.year, d.month, d.day, rng.randint(13, 23), rng.randint(0, 59))
        activity = d - dt.timedelta(days=1) if (rng.random() < 0.25 and d.day > 1 and d > START) else d
        owner = account.owner if rng.random() < 0.85 else rng.choice(SES)
        return Note(sf_id(rng, "00T", self.used_ids), subject, activity, created, text, account, owner, names)

    # -- run ----------------------------------------------------------------
    def build(self) -> None:
        self.make_accounts()
        self.plan_calls()
        pitch_calls = self.rng.sample(range(len(self.calls)), len(REP_UNHEARD_PITCH))
        for i, call in enumerate(self.calls):
            self.script_call(call, pitch_calls.index(i) if i in pitch_calls else None)
        self.make_notes()
        self.check()

    def check(self) -> None:
        customer_texts = [t.text for c in self.calls for t in c.turns if t.speaker not in c.reps]
        for text in customer_texts + [n.description for n in self.notes]:
            low = text.lower()
            bad = [w for w in UNHEARD_WORDS if w in low]
            assert not bad, f"unheard-value word {bad} in: {text}"
        for c in self.calls:
            assert 20 <= len(c.turns) <= 60, (c.call_id, len(c.turns))
            rep_turns = sum(t.speaker in c.reps for t in c.turns)
            assert 0.35 <= rep_turns / len(c.turns) <= 0.6, (c.call_id, rep_turns, len(c.turns))
        descs = [n.description for n in self.notes]
        assert len(descs) == len(set(descs)), "duplicate note descriptions"
        for name, source, d, _, _ in self.mentions:
            assert START <= d <= END
            if THEME_BY_NAME[name].kind == "emerging" and d < EMERGING_FROM:
                assert d.month == 9
        for n in self.notes:
            for name in n.themes:
                if THEME_BY_NAME[name].kind == "emerging" and n.created.date() >= EMERGING_FROM:
                    assert n.activity_date >= EMERGING_FROM


# --------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)


def cues(turns: list[Turn]) -> list[tuple[float, float, str, str, int, int]]:
    """(start, end, speaker, text, turn index, part) per cue; long turns split at sentences."""
    out = []
    for i, turn in enumerate(turns):
        sentences = split_sentences(turn.text)
        if len(turn.text.split()) <= 22 or len(sentences) == 1:
            out.append((turn.start, turn.end, turn.speaker, turn.text, i, 0))
            continue
        total = sum(len(s) for s in sentences)
        t = turn.start
        for j, s in enumerate(sentences):
            dur = (turn.end - turn.start) * len(s) / total
            out.append((round(t, 3), round(t + dur, 3), turn.speaker, s, i, j))
            t += dur
    return out


def write_teams(call: Call, path: Path, rng: random.Random) -> None:
    guid = "%08x-%04x-%04x-%04x-%012x" % (rng.getrandbits(32), rng.getrandbits(16), 0x4000 | rng.getrandbits(12),
                                         0x8000 | rng.getrandbits(14), rng.getrandbits(48))
    lines = ["WEBVTT", ""]
    for start, end, speaker, text, i, j in cues(call.turns):
        lines += [f"{guid}/{i + 11}-{j}", f"{fmt_ts(start)} --> {fmt_ts(end)}", f"<v {speaker}>{text}</v>", ""]
    write_text(path, "\n".join(lines))


def write_zoom(call: Call, path: Path) -> None:
    lines = ["WEBVTT", ""]
    for n, (start, end, speaker, text, _, _) in enumerate(cues(call.turns), 1):
        lines += [str(n), f"{fmt_ts(start)} --> {fmt_ts(end)}", f"{speaker}: {text}", ""]
    write_text(path, "\n".join(lines))


def write_srt(call: Call, path: Path) -> None:
    lines = []
    for n, (start, end, speaker, text, _, _) in enumerate(cues(call.turns), 1):
        lines += [str(n), f"{fmt_ts(start, ',')} --> {fmt_ts(end, ',')}", f"{speaker}: {text}", ""]
    write_text(path, "\n".join(lines))


def write_txt(call: Call, path: Path) -> None:
    write_text(path, "\n".join(f"{t.speaker}: {t.text}" for t in call.turns) + "\n")


def write_gong(calls: list[Call], path: Path, rng: random.Random) -> None:
    speaker_ids: dict[str, str] = {}
    parties = []
    transcripts = []
    for call in calls:
        for name in call.reps + [c.name for c in call.customers]:
            if name in speaker_ids:
                continue
            speaker_ids[name] = str(rng.randrange(10**18, 10**19))
            internal = name in call.reps
            party = {"id": str(rng.randrange(10**18, 10**19)), "name": name, "speakerId": speaker_ids[name],
                     "affiliation": "Internal" if internal else "External", "methods": ["Invitee"]}
            if internal:
                party["emailAddress"] = rep_email(name)
                party["title"] = dict(REPS)[name]
            else:
                party["title"] = next(c.title for c in call.customers if c.name == name)
            parties.append(party)
        monologues = []
        for turn in call.turns:
            topic = THEME_GONG_TOPIC.get(turn.theme or "", GONG_TOPICS[turn.section])
            sentences = split_sentences(turn.text)
            total = sum(len(s) for s in sentences)
            t = turn.start
            sents = []
            for s in sentences:
                dur = (turn.end - turn.start) * len(s) / total
                sents.append({"start": int(round(t * 1000)), "end": int(round((t + dur) * 1000)), "text": s})
                t += dur
            monologues.append({"speakerId": speaker_ids[turn.speaker], "topic": topic, "sentences": sents})
        transcripts.append({"callId": call.gong_call_id, "transcript": monologues})
    doc = {"requestId": "4al018gzaztcr8nbukw", "records": {"totalRecords": len(calls), "currentPageSize": len(calls),
                                                         "currentPageNumber": 0},
           "callTranscripts": transcripts, "parties": parties}
    write_text(path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


def rep_email(name: str) -> str:
    first, last = name.lower().split()
    return f"{first}.{last}@{DOMAIN}"


def write_strategy(out: Path) -> None:
    md = [f"# {COMPANY} strategy 2026", "",
          "Approved by the leadership team on 2026-06-30. One statement per bullet.", ""]
    yml = [f'company: "{COMPANY}"', f'as_of: "{STRATEGY_AS_OF}"', "statements:"]
    for kind, heading, bullets in STRATEGY:
        md += [f"## {heading}", ""]
        md += [f"- {b}" for b in bullets]
        md.append("")
        for b in bullets:
            yml += [f"  - id: {slugify(b)}", f"    kind: {kind}", f"    text: {json.dumps(b)}"]
    write_text(out / "strategy.md", "\n".join(md))
    write_text(out / "strategy.yaml", "\n".join(yml) + "\n")


def write_calls(gen: Generator, out: Path) -> None:
    calls_dir = out / "calls"
    calls_dir.mkdir(parents=True, exist_ok=True)
    for p in sorted(calls_dir.iterdir()):
        if p.suffix in {".vtt", ".srt", ".json", ".txt", ".csv"}:
            p.unlink()
    rng = random.Random(SEED + 1)
    gong_files: dict[str, list[Call]] = defaultdict(list)
    for call in gen.calls:
        if call.fmt == "teams" or call.fmt == "zoom":
            path = calls_dir / f"{call.call_id}.vtt"
            write_teams(call, path, rng) if call.fmt == "teams" else write_zoom(call, path)
        elif call.fmt == "srt":
            write_srt(call, calls_dir / f"{call.call_id}.srt")
        elif call.fmt == "txt":
            write_txt(call, calls_dir / f"{call.call_id}.txt")
        else:
            gong_files[call.gong_file].append(call)
    for name, calls in gong_files.items():
        write_gong(calls, calls_dir / f"{name}.json", rng)
    with open(calls_dir / "calls.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["call_id", "started_at", "account_id", "account_name", "segment", "opportunity_id",
                    "stage", "outcome", "amount", "rep"])
        for c in sorted(gen.calls, key=lambda c: (c.started_at, c.call_id)):
            a = c.account
            w.writerow([c.call_id, c.started_at.strftime("%Y-%m-%dT%H:%M:%SZ"), a.account_id, a.name, a.segment,
                        a.opportunity_id, c.stage, a.outcome, a.amount, c.reps[0]])
    with open(calls_dir / "team.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["name", "email"])
        for name, _ in REPS:
            w.writerow([name, rep_email(name)])


def write_notes(gen: Generator, out: Path) -> None:
    path = out / "notes" / "salesforce_tasks.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_ALL)
        w.writerow(["Id", "Subject", "ActivityDate", "CreatedDate", "Description", "AccountId", "WhatId",
                    "OwnerId", "Status"])
        for n in gen.notes:
            w.writerow([n.note_id, n.subject, n.activity_date.isoformat(),
                        n.created.strftime("%Y-%m-%dT%H:%M:00.000+0000"), n.description, n.account.account_id,
                        n.account.opportunity_id, gen.rep_user_ids[n.owner], "Completed"])


def counts(gen: Generator) -> dict[str, dict[str, dict[str, int]]]:
    """theme -> source (note|call|all) -> month -> mentions."""
    table: dict[str, dict[str, dict[str, int]]] = {
        t.name: {s: {m: 0 for m in MONTHS} for s in ("note", "call", "all")} for t in THEMES}
    for name, source, d, _, _ in gen.mentions:
        table[name][source][month_of(d)] += 1
        table[name]["all"][month_of(d)] += 1
    return table


def write_planted(gen: Generator, out: Path) -> None:
    table = counts(gen)
    accounts: dict[str, set[str]] = defaultdict(set)
    early: Counter[str] = Counter()
    for name, _, d, account, _ in gen.mentions:
        if THEME_BY_NAME[name].kind != "emerging" or d >= EMERGING_FROM:
            accounts[name].add(account)
        if d < dt.date(2026, 10, 5):
            early[name] += 1
    planted = {
        "as_of": AS_OF.isoformat(),
        "themes": [{
            "name": t.name, "kind": t.kind, "keywords": t.keywords,
            "statement_id": slugify(t.statement) if t.statement else None,
            "expected_flag": t.expected_flag,
            "mentions_by_month": table[t.name]["all"],
        } for t in THEMES],
        "unheard_statement_id": slugify(UNHEARD),
    }
    write_text(out / "planted.json", json.dumps(planted, indent=2) + "\n")

    kind_words = {"steady": "steady, covered", "emerging": "emerging, uncovered",
                  "growing": "growing, off-strategy (non_target)"}
    md = ["# What is planted in the sample data", "",
          "Generated by `python data/generate_sample.py` (fixed seed, stdlib only; two runs give",
          "byte-identical files). Everything here is fictional.", "",
          f"- **Company:** {COMPANY}, spend-management and AP automation software for mid-market finance teams.",
          f"- **Time span:** {START.isoformat()} to {END.isoformat()}. **As-of date:** {AS_OF.isoformat()} "
          f"(`groundswell mine --as-of {AS_OF.isoformat()}`, and the demo).",
          f"- **Calls:** {len(gen.calls)} in `calls/` ({', '.join(f'{v} {k}' for k, v in sorted(Counter(c.fmt for c in gen.calls).items()))}; "
          f"Gong: {len({c.gong_file for c in gen.calls if c.gong_file})} files, one of them holding 2 calls), with `calls.csv` and `team.csv`.",
          f"- **Notes:** {len(gen.notes)} Salesforce Tasks in `notes/salesforce_tasks.csv` "
          f"({sum(1 for n in gen.notes if n.themes)} carry a theme, {sum(1 for n in gen.notes if not n.themes)} are admin noise; "
          f"{sum(1 for n in gen.notes if chr(10) in n.description)} span several lines).",
          f"- **Accounts:** {len(gen.accounts)} (Salesforce `AccountId` = `calls.csv` `account_id`; `WhatId` = `opportunity_id`). "
          f"**Reps:** {len(REPS)} ({len(AES)} AEs, {len(SES)} SEs) in `team.csv`.",
          "- **Strategy:** `strategy.md` and the same statements in `strategy.yaml` (ids = the Markdown slugs).", "",
          "A *mention* is one customer turn in a call or one theme line in a note, each about one theme.",
          "Reps' replies to a mention are not counted (they are `rep` speech).", "",
          "## Themes", "",
          "| theme | kind | strategy statement id | expected flag | Jul | Aug | Sep | Oct | total | notes / calls | accounts |",
          "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for t in THEMES:
        row = table[t.name]["all"]
        md.append(f"| {t.name}: {t.label} | {kind_words[t.kind]} | "
                  f"{'`' + slugify(t.statement) + '`' if t.statement else '(none)'} | "
                  f"{'`' + t.expected_flag + '`' if t.expected_flag else '-'} | "
                  + " | ".join(str(row[m]) for m in MONTHS)
                  + f" | {sum(row.values())} | {sum(table[t.name]['note'].values())} / {sum(table[t.name]['call'].values())}"
                  f" | {len(accounts[t.name])} |")
    md += ["", "For the emerging themes, \"accounts\" counts distinct accounts from 2026-10-06 on. Mentions "
           "before 2026-10-05: " + ", ".join(f"{t.name} {early[t.name]}" for t in THEMES if t.kind == "emerging")
           + " (one planted September note each, so the theme is near-absent, not absent, in the baseline).",
           "Emerging mentions in October are all dated 2026-10-07 or later (note `ActivityDate` may be a day earlier, never before 2026-10-06).",
           f"On-prem mentions in October are dated 2026-10-05 or later.", "",
           "Keywords per theme (in `planted.json`) are words that the theme's mentions use again and again:", ""]
    for t in THEMES:
        md.append(f"- `{t.name}`: {', '.join(t.keywords)}")
    md += ["", "## Expected flags (`--as-of 2026-10-31`)", ""]
    for t in THEMES:
        if t.expected_flag == "field_ahead":
            md.append(f"- `field_ahead` on **{t.name}** ({t.label}): emerging, no objective/target/value/priority covers it.")
        elif t.expected_flag == "off_strategy":
            md.append(f"- `off_strategy` on **{t.name}** ({t.label}): growing, matches the non_target "
                      f"`{slugify(t.statement)}`.")
    md += [f"- `strategy_unheard` on the value `{slugify(UNHEARD)}` (\"{UNHEARD}\"): no note and no customer turn "
           "mentions support, phone lines or languages at all. Reps pitch it in 3 calls (rep speech only), "
           "and the customers answer \"Okay.\" or \"Got it.\"",
           "- No flag on the six steady themes: each is spread evenly over the four months and covered by its statement.", "",
           "## Strategy statement ids", "",
           "| kind | id |", "| --- | --- |"]
    for kind, _, bullets in STRATEGY:
        for b in bullets:
            md.append(f"| {kind} | `{slugify(b)}` |")
    md += ["", "## Call and note texture", "",
           "- Calls open with small talk (\"Can you hear me okay?\", \"Sorry, I was on mute\", weekends), then an agenda, "
           "discovery questions, demo walkthroughs (rep monologues), and close with next steps and thanks. Reps speak "
           f"{100 * sum(t.speaker in c.reps for c in gen.calls for t in c.turns) // sum(len(c.turns) for c in gen.calls)}% "
           "of turns. Customer turns also carry neutral context and fillers (\"Okay.\", \"Yeah.\").",
           "- Teams files carry Teams-style cue ids (`<guid>/<n>-<k>`); turns over ~22 words are split into one cue per sentence "
           "in VTT and SRT files. Gong monologues hold one `sentences[]` entry per sentence and a `topic`.",
           f"- Each mention is built from one of {min(len(t.spoken) + len(t.terse) for t in THEMES)} to "
           f"{max(len(t.spoken) + len(t.terse) for t in THEMES)} core phrasings per theme (spoken ones for calls, terse ones "
           "for notes; about 1 note in 6 quotes a spoken phrasing) with varied openers, closers, prefixes, suffixes and numbers. "
           "No two mentions and no two note descriptions are identical.",
           "- Some notes list two themes as bullets (\"Call w/ Dana (CFO)\" / \"- ...\" / \"- ...\" / \"- Next steps: ...\").",
           "- Neutral discovery answers (company size, team, systems, timeline) recur evenly over the four months; "
           "they may form small stable themes of their own (e.g. company size, near the target statement on "
           "employee counts). No flag is expected on them.", "",
           "## PII planted for redaction", ""]
    for n in gen.notes:
        if "@" in n.description or "555-" in n.description:
            md.append(f"- note `{n.note_id}` ({n.created.date().isoformat()}): \"{n.description}\"")
    md.append("")
    write_text(out / "PLANTED.md", "\n".join(md))


def main() -> None:
    gen = Generator()
    gen.build()
    OUT.mkdir(parents=True, exist_ok=True)
    write_strategy(OUT)
    write_calls(gen, OUT)
    write_notes(gen, OUT)
    write_planted(gen, OUT)

    table = counts(gen)
    print(f"{COMPANY} sample data written to {OUT}")
    fmts = Counter(c.fmt for c in gen.calls)
    print(f"  calls: {len(gen.calls)} ({', '.join(f'{k} {v}' for k, v in sorted(fmts.items()))}), "
          f"turns: {sum(len(c.turns) for c in gen.calls)}")
    print(f"  notes: {len(gen.notes)} ({sum(1 for n in gen.notes if n.themes)} with a theme)")
    print(f"  accounts: {len(gen.accounts)}, reps: {len(REPS)}")
    print(f"  {'theme':<22} {'kind':<9} " + " ".join(f"{m:>7}" for m in MONTHS) + "   total")
    for t in THEMES:
        row = table[t.name]["all"]
        print(f"  {t.name:<22} {t.kind:<9} " + " ".join(f"{row[m]:>7}" for m in MONTHS) + f"   {sum(row.values()):>5}")
    print(f"  unheard value: {slugify(UNHEARD)}")


if __name__ == "__main__":
    main()
