"""Word lists for the generated firm: names, places, companies, skills, texts."""

from __future__ import annotations

FIRST_NAMES = """Aisha Alex Alice Amara Amir Ana Andrea Anna Anton Arjun Astrid Ben Bianca Carlos
Chen Chiara Chloe Daniel David Diego Dmitri Elena Elif Emma Erik Eva Fatima Felix Finn Freya
Gabriel Grace Hana Hannah Hugo Ibrahim Ines Isabel Ivan Jakob James Jana Javier Jin Joao Jonas
Julia Kai Karim Kenji Lara Laura Leila Lena Leo Liam Lina Luca Lucia Lukas Maja Mara Marco Maria
Marie Mateo Maya Mei Mia Mikael Mohammed Nadia Nina Noah Nora Olga Oliver Omar Oscar Paul Pedro
Priya Rafael Rania Raul Rosa Ruth Sam Sara Sofia Stefan Tariq Thomas Tom Valentina Victor Yara
Yusuf Zara Zoe""".split()

LAST_NAMES = """Abbott Adeyemi Alvarez Andersen Bakker Banerjee Becker Bianchi Brown Campbell
Carvalho Chen Costa Da Silva Dubois Eriksson Evans Fischer Garcia Gonzalez Gupta Hansen Hoffmann
Horvat Ibrahim Ivanova Jansen Jensen Johansson Kaur Keller Khan Kim Kowalski Kruger Larsen Lee
Lopez Martin Martinez Meyer Moreau Muller Murphy Nakamura Nguyen Nielsen Novak O'Brien Okafor
Olsen Park Patel Perez Petrov Popescu Quinn Rahman Reyes Ricci Rossi Santos Schmidt Schneider Shah
Silva Singh Smith Sorensen Suzuki Tanaka Taylor Thompson Torres Van Dijk Varga Wagner Walker Wang
Weber Williams Wilson Wojcik Wright Yamamoto Yilmaz Young Zhang Zimmermann""".split()

CITIES = [
    ("London", 14),
    ("Berlin", 10),
    ("Amsterdam", 9),
    ("Paris", 8),
    ("Munich", 6),
    ("Dublin", 6),
    ("Madrid", 5),
    ("Barcelona", 5),
    ("Stockholm", 5),
    ("Copenhagen", 4),
    ("Zurich", 4),
    ("Vienna", 4),
    ("Milan", 4),
    ("Lisbon", 4),
    ("Warsaw", 4),
    ("Prague", 3),
    ("Brussels", 3),
    ("Hamburg", 3),
    ("Frankfurt", 3),
    ("Manchester", 3),
    ("Edinburgh", 2),
    ("Oslo", 2),
    ("Helsinki", 2),
    ("Rotterdam", 2),
    ("Lyon", 2),
    ("Cologne", 2),
    ("Geneva", 2),
    ("Budapest", 2),
    ("Athens", 1),
    ("Bucharest", 1),
    ("Tallinn", 1),
    ("Riga", 1),
    ("Vilnius", 1),
    ("Porto", 1),
    ("Valencia", 1),
    ("Bristol", 1),
    ("Leeds", 1),
    ("Gothenburg", 1),
    ("Antwerp", 1),
    ("Krakow", 1),
]

FUNCTIONS = [
    "Software Engineer",
    "Data Engineer",
    "Data Scientist",
    "Product Manager",
    "Engineering Manager",
    "DevOps Engineer",
    "Security Engineer",
    "UX Designer",
    "Finance Manager",
    "Controller",
    "Sales Director",
    "Account Executive",
    "Marketing Manager",
    "HR Business Partner",
    "Operations Manager",
    "Supply Chain Manager",
    "Legal Counsel",
    "Chief Financial Officer",
    "Chief Technology Officer",
    "Head of Engineering",
    "Head of Data",
    "Head of Product",
    "Business Analyst",
    "Project Manager",
    "Customer Success Manager",
    "Procurement Lead",
    "Quality Engineer",
    "Mechanical Engineer",
    "Electrical Engineer",
    "Research Scientist",
]

SECTORS = [
    "Fintech",
    "Healthcare",
    "Retail",
    "Logistics",
    "Energy",
    "Insurance",
    "Banking",
    "Manufacturing",
    "Media",
    "Public sector",
    "SaaS",
    "Telecom",
    "Automotive",
    "Pharma",
    "Gaming",
    "Travel",
    "Education",
    "Real estate",
    "Agritech",
    "Consulting",
]

LANGUAGES = [
    "English",
    "German",
    "French",
    "Spanish",
    "Dutch",
    "Italian",
    "Portuguese",
    "Polish",
    "Swedish",
    "Danish",
    "Mandarin",
    "Arabic",
]

COMPANY_A = """Acme Apex Atlas Aurora Beacon Blue Bright Cedar Cobalt Crown Delta Eagle Echo
Emerald Falcon Forge Granite Harbor Helix Horizon Iron Juniper Keystone Lumen Maple Meridian
Nimbus Nova Oak Orbit Pioneer Polar Quantum Radiant Redwood Sapphire Sierra Silver Solar
Summit Terra Titan Unity Vector Vertex Willow Zenith""".split()
COMPANY_B = """Analytics Bank Bio Capital Cloud Consulting Dynamics Energy Foods Group Health
Holdings Industries Insurance Labs Logistics Media Motors Networks Partners Pharma Retail
Robotics Systems Technologies Telecom Ventures Works""".split()

# Real skills, roughly from the most to the least common in a general pool.
BASE_SKILLS = [
    s.strip()
    for s in """English, Excel, SQL, Python, Project management, Stakeholder management,
German, Java, JavaScript, Leadership, Negotiation, Agile, French, Salesforce, SAP, Power BI, AWS,
Budgeting, Forecasting, Scrum, Spanish, Azure, Docker, Kubernetes, React, TypeScript, Linux, Tableau,
Data analysis, Machine learning, Customer success, B2B sales, Key account management, CRM, Marketing,
Recruiting, Coaching, Procurement, Logistics, Supply chain, Compliance, GDPR, Risk management, Audit,
IFRS, GAAP, Tax, Treasury, M&A, Corporate finance, Accounting, Controlling, C#, .NET, Go, C++, Kotlin,
Swift, PHP, Ruby on Rails, Node.js, Django, Flask, FastAPI, Spring, PostgreSQL, MySQL, MongoDB, Redis,
Kafka, Spark, Airflow, dbt, Snowflake, BigQuery, Terraform, Google Cloud, GraphQL, Microservices,
Deep learning, NLP, Computer vision, Statistics, Figma, UX design, Accessibility, Copywriting, SEO, SEM,
HubSpot, Pricing, Partnerships, Lean, Six Sigma, Kanban, Warehousing, Cybersecurity, Penetration testing,
ISO 27001, Embedded systems, PLC, AutoCAD, SolidWorks, Matlab, Clinical trials, GMP, Dutch, Italian,
Polish, Mandarin, Public speaking, Change management, Employment law, Contract law""".split(",")
]

SKILL_AREAS = """Supply chain|Cloud|Data|Product|Brand|Treasury|Clinical|Network|Payments|Retail|
Credit|Field|Mobile|Platform|Growth|Revenue|Vendor|Quality|Process|Energy|Fleet|Talent|
Customer|Pricing|Portfolio|Regulatory|Security|Release|Content|Channel|Inventory|Merchandise|
Contract|Facility|Investor|Claims|Underwriting|Marketing|Sales|Service""".replace("\n", "").split("|")
SKILL_DISCIPLINES = """analytics|architecture|operations|strategy|planning|automation|engineering|
governance|design|modelling|reporting|optimisation|management|testing|compliance|integration|
research|forecasting|migration|transformation|negotiation|auditing|administration|onboarding|
monitoring|support|budgeting|procurement|development|consulting|training|leadership|
partnerships|pricing|delivery|localisation|scheduling|quality|risk|communications|
documentation|security|innovation|sourcing|segmentation|retention|acquisition|controlling""".replace("\n", "").split(
    "|"
)

FEEDBACK_LINES = [
    "Thank you for your time on the call today.",
    "The client enjoyed the conversation and liked your examples from your current role.",
    "They would like to hear more about how you led the last migration.",
    "Your experience with the team's main tools came across clearly.",
    "The hiring manager felt the scope of the role matches what you are looking for.",
    "They noted that the notice period could be a challenge, so let us talk about options.",
    "The panel was impressed by your structured answers to the case question.",
    "Next, the client wants a second conversation with the head of the department.",
    "They are still seeing two other candidates and expect to decide by the end of next week.",
    "On pay, the range we discussed is still realistic for this role.",
    "One point to prepare: concrete numbers on the results of your last project.",
    "We think you are a strong fit and will push for a quick decision.",
    "The client decided to look for someone with more hands-on experience in their industry.",
    "Please tell us if anything changed on your side since we last spoke.",
]
NOTE_LINES = [
    "Called, left a voicemail.",
    "Prefers calls after 6pm.",
    "Strong on stakeholder management.",
    "Salary expectation above the band; flexible for remote.",
    "Referred by a placed candidate.",
    "Concern: short tenure in the last two roles.",
    "Met at the meetup; follow up in spring.",
    "Client feedback off the record: very good culture fit.",
    "Has a competing offer.",
    "Reference check done, all positive.",
    "Wants to stay in the current city.",
    "Asked not to be contacted about agency roles.",
]
DESCRIPTION_LINES = [
    "You will join a growing team and own a broad scope from day one.",
    "The role reports to the leadership team and works closely with product and operations.",
    "Our client is a well-funded company with a strong reputation in its market.",
    "The team values clear writing, calm decisions and shipping often.",
    "You will shape the roadmap for the next two years and mentor colleagues.",
    "Travel is limited to a few days per quarter.",
    "The company offers a learning budget, flexible hours and a generous pension.",
    "This is a new position created to support the next phase of growth.",
]
REQUIREMENT_LINES = [
    "Several years of experience in a similar role.",
    "Fluent English; a second European language is a plus.",
    "A track record of delivering results with cross-functional teams.",
    "Comfort with ambiguity and a fast-changing environment.",
    "Experience with the main tools listed under skills.",
    "Able to work from the office at least two days a week (unless the role is remote).",
]
CLOSE_EXPLANATIONS = {
    "not_a_fit": "The client is looking for deeper experience in their specific industry.",
    "withdrew": "You told us you accepted another offer. Congratulations, and stay in touch.",
    "client_declined": "The client chose a candidate whose background was closer to their current team.",
    "role_closed": "The client closed the role. We will tell you about similar roles.",
}
