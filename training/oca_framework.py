"""The framework a new workspace starts with: seven domains, their sub-areas and a descriptor per level.

Data, not interface text: each row carries its French and English wording, stored in the workspace's
rows, which managers then edit. A descriptor says what the sub-area looks like at each level, from
"absent" (1) to "strong and used" (4).
"""

from __future__ import annotations

# (domain FR, domain EN, [(sub-area FR, sub-area EN, subject FR, subject EN)])
FRAMEWORK: tuple[tuple[str, str, tuple[tuple[str, str, str, str], ...]], ...] = (
    ("Gouvernance et structure juridique", "Governance and legal structure", (
        ("Statut juridique et textes", "Legal status and founding documents",
         "les statuts, le récépissé et le règlement intérieur", "the statutes, registration and by-laws"),
        ("Organe de gouvernance", "Governing body",
         "le conseil d'administration et ses réunions", "the board and its meetings"),
        ("Redevabilité envers les membres", "Accountability to members",
         "l'assemblée générale et les comptes rendus aux membres", "the general assembly and reporting to members"),
    )),
    ("Gestion financière et contrôle interne", "Financial management and internal control", (
        ("Comptabilité", "Accounting",
         "la tenue des comptes et les pièces justificatives", "bookkeeping and supporting documents"),
        ("Budget et suivi budgétaire", "Budgeting and budget monitoring",
         "le budget annuel et son suivi", "the annual budget and its monitoring"),
        ("Contrôle interne et audit", "Internal control and audit",
         "la séparation des tâches, les procédures et l'audit externe",
         "segregation of duties, procedures and external audit"),
    )),
    ("Administration et passation des marchés", "Administration and procurement", (
        ("Procédures administratives", "Administrative procedures",
         "le manuel de procédures administratives", "the administrative procedures manual"),
        ("Achats et passation des marchés", "Procurement",
         "les règles d'achat (devis, mise en concurrence)", "purchasing rules (quotes, competition)"),
        ("Gestion des biens", "Asset management",
         "l'inventaire et l'entretien des biens", "the asset register and upkeep"),
    )),
    ("Ressources humaines", "Human resources", (
        ("Politique et contrats", "Policy and contracts",
         "la politique RH, les contrats et les fiches de poste", "the HR policy, contracts and job descriptions"),
        ("Développement du personnel", "Staff development",
         "l'évaluation et la formation du personnel", "staff appraisal and training"),
        ("Protection et code de conduite", "Safeguarding and code of conduct",
         "le code de conduite et la protection contre les abus", "the code of conduct and safeguarding"),
    )),
    ("Gestion des programmes", "Programme management", (
        ("Conception des projets", "Project design",
         "l'analyse des besoins et le cadre logique", "needs analysis and the logical framework"),
        ("Mise en œuvre et planification", "Implementation and work planning",
         "les plans de travail et leur suivi", "work plans and their follow-up"),
        ("Participation des communautés", "Community participation",
         "la participation des communautés et des groupes vulnérables",
         "the participation of communities and vulnerable groups"),
    )),
    ("Gestion de la performance (suivi-évaluation)", "Performance management (M&E)", (
        ("Système de suivi", "Monitoring system",
         "les indicateurs, les outils de collecte et les données", "indicators, data collection tools and data"),
        ("Évaluation et apprentissage", "Evaluation and learning",
         "les évaluations et l'usage des leçons apprises", "evaluations and the use of lessons learnt"),
        ("Rapportage", "Reporting",
         "les rapports narratifs et financiers aux bailleurs", "narrative and financial reports to funders"),
    )),
    ("Durabilité organisationnelle (stratégie, plaidoyer, mobilisation de ressources)",
     "Organisational sustainability (strategy, advocacy, fundraising)", (
        ("Plan stratégique", "Strategic plan", "le plan stratégique", "the strategic plan"),
        ("Plaidoyer et partenariats", "Advocacy and partnerships",
         "le plaidoyer et les partenariats avec les autorités et les réseaux",
         "advocacy and partnerships with authorities and networks"),
        ("Mobilisation de ressources", "Fundraising",
         "la diversification des financements", "the diversification of funding"),
    )),
)

LEVEL_PATTERNS: dict[int, tuple[str, str]] = {
    1: ("Absent : {fr} n'existent pas ou ne sont pas appliqués.", "Absent: {en} do not exist or are not applied."),
    2: ("Émergent : {fr} existent en partie, de façon informelle ou irrégulière.",
        "Emerging: {en} exist in part, informally or irregularly."),
    3: ("En place : {fr} existent et sont appliqués, avec quelques lacunes.",
        "In place: {en} exist and are applied, with some gaps."),
    4: ("Solide : {fr} sont appliqués, revus régulièrement et servent aux décisions.",
        "Strong: {en} are applied, regularly reviewed and used for decisions."),
}
