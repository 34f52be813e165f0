"""Stage vocabulary of HubSpot, Salesforce, Pipedrive, Zoho CRM, Dynamics 365 and Japanese SFA tools (en/ja/de/es/fr);
sub-stage order, the lead-list rule, combining two stage columns and flag contradictions."""

from __future__ import annotations

import random

import pytest

from kpi_core.intake.stages import (
    LEAD_LIST_RULE,
    canonical_stage,
    contradiction,
    furthest_stage,
    map_stages,
    order_stages,
    stage_key,
    substage_rank,
)

HUBSPOT = {
    # deal pipeline, labels and internal ids
    "Appointment scheduled": "opportunity",
    "Qualified to buy": "opportunity",
    "Presentation scheduled": "opportunity",
    "Decision maker bought-in": "opportunity",
    "Contract sent": "opportunity",
    "Closed won": "won",
    "Closed lost": "lost",
    "appointmentscheduled": "opportunity",
    "qualifiedtobuy": "opportunity",
    "presentationscheduled": "opportunity",
    "decisionmakerboughtin": "opportunity",
    "contractsent": "opportunity",
    "closedwon": "won",
    "closedlost": "lost",
    # a pipeline suffix
    "Closed Won (Sales Pipeline)": "won",
    "Closed Lost (Sales Pipeline)": "lost",
    "Contract sent (Sales Pipeline)": "opportunity",
    # lifecycle stages
    "Subscriber": "lead",
    "Lead": "lead",
    "Marketing Qualified Lead": "mql",
    "Sales Qualified Lead": "sql",
    "Opportunity": "opportunity",
    "Customer": "won",
    "Evangelist": "won",
    "Other": "disqualified",
    "marketingqualifiedlead": "mql",
    "salesqualifiedlead": "sql",
    # lead status
    "New": "lead",
    "Open": "opportunity",
    "In progress": "opportunity",
    "Open deal": "opportunity",
    "Unqualified": "disqualified",
    "Attempted to contact": "lead",
    "Connected": "lead",
    "Bad timing": "lead",
}

SALESFORCE = {
    "Prospecting": "opportunity",
    "Qualification": "opportunity",
    "Needs Analysis": "opportunity",
    "Value Proposition": "opportunity",
    "Id. Decision Makers": "opportunity",
    "Perception Analysis": "opportunity",
    "Proposal/Price Quote": "opportunity",
    "Negotiation/Review": "opportunity",
    "Closed Won": "won",
    "Closed Lost": "lost",
    "Open - Not Contacted": "lead",
    "Working - Contacted": "lead",
    "Closed - Converted": "sql",
    "Closed - Not Converted": "disqualified",
}

PIPEDRIVE = {
    "Lead In": "lead",
    "Contact Made": "opportunity",
    "Demo Scheduled": "opportunity",
    "Proposal Made": "opportunity",
    "Negotiations Started": "opportunity",
    "Won": "won",
    "Lost": "lost",
}

ZOHO = {
    "Qualification": "opportunity",
    "Needs Analysis": "opportunity",
    "Value Proposition": "opportunity",
    "Identify Decision Makers": "opportunity",
    "Proposal/Price Quote": "opportunity",
    "Negotiation/Review": "opportunity",
    "Closed Won": "won",
    "Closed Lost": "lost",
    "Closed-Lost to Competition": "lost",
    # lead status
    "Attempted to Contact": "lead",
    "Contact in Future": "lead",
    "Contacted": "lead",
    "Junk Lead": "disqualified",
    "Lost Lead": "lost",
    "Not Contacted": "lead",
    "Pre-Qualified": "mql",
    "Not Qualified": "disqualified",
}

DYNAMICS = {
    "Qualify": "opportunity",
    "Develop": "opportunity",
    "Propose": "opportunity",
    "Close": "opportunity",
    "Open": "opportunity",
    "Won": "won",
    "Lost": "lost",
    "In Progress": "opportunity",
    "On Hold": "opportunity",
    "Canceled": "lost",
    "Out-Sold": "lost",
}

JAPANESE = {
    "アポ獲得": "sql",
    "初回訪問": "opportunity",
    "初回面談": "opportunity",
    "ヒアリング": "opportunity",
    "課題ヒアリング": "opportunity",
    "ニーズ確認": "opportunity",
    "提案": "opportunity",
    "提案書提出": "opportunity",
    "デモ": "opportunity",
    "見積提出": "opportunity",
    "見積提示": "opportunity",
    "交渉": "opportunity",
    "条件交渉": "opportunity",
    "稟議": "opportunity",
    "稟議中": "opportunity",
    "決裁者商談": "opportunity",
    "内示": "opportunity",
    "内諾": "opportunity",
    "口頭受注": "opportunity",
    "受注": "won",
    "成約": "won",
    "失注": "lost",
    "保留": "opportunity",
    "見送り": "lost",
    "中止": "lost",
    # half-width katakana and a numbering prefix
    "ﾋｱﾘﾝｸﾞ": "opportunity",
    "03_稟議": "opportunity",
}

GERMAN = {
    "Termin vereinbart": "opportunity",
    "Kaufbereit": "opportunity",
    "Qualifiziert zum Kauf": "opportunity",
    "Präsentation geplant": "opportunity",
    "Entscheidungsträger eingebunden": "opportunity",
    "Vertrag gesendet": "opportunity",
    "Vertrag versandt": "opportunity",
    "Gewonnen": "won",
    "Abgeschlossen und gewonnen": "won",
    "Verloren": "lost",
    "Abgeschlossen und verloren": "lost",
    "Abonnent": "lead",
    "Lead": "lead",
    "Marketingqualifizierter Lead": "mql",
    "Vertriebsqualifizierter Lead": "sql",
    "Verkaufschance": "opportunity",
    "Kunde": "won",
    "Neu": "lead",
    "In Bearbeitung": "opportunity",
    "Nicht qualifiziert": "disqualified",
    "Qualifizierung": "opportunity",
    "Bedarfsanalyse": "opportunity",
    "Angebot": "opportunity",
    "Verhandlung": "opportunity",
}

SPANISH = {
    "Cita programada": "opportunity",
    "Calificado para comprar": "opportunity",
    "Presentación programada": "opportunity",
    "Responsable de la toma de decisiones comprometido": "opportunity",
    "Contrato enviado": "opportunity",
    "Cerrado ganado": "won",
    "Cerrado perdido": "lost",
    "Ganado": "won",
    "Perdido": "lost",
    "Suscriptor": "lead",
    "Lead": "lead",
    "Oportunidad": "opportunity",
    "Cliente": "won",
    "Nuevo": "lead",
    "Calificación": "opportunity",
    "Propuesta": "opportunity",
    "Negociación": "opportunity",
    "No calificado": "disqualified",
}

FRENCH = {
    "Rendez-vous programmé": "opportunity",
    "Qualifié pour l'achat": "opportunity",
    "Présentation programmée": "opportunity",
    "Décideur impliqué": "opportunity",
    "Contrat envoyé": "opportunity",
    "Conclue gagnée": "won",
    "Conclu gagné": "won",
    "Fermé gagné": "won",
    "Conclue perdue": "lost",
    "Fermé perdu": "lost",
    "Gagné": "won",
    "Perdu": "lost",
    "Abonné": "lead",
    "Lead": "lead",
    "Opportunité": "opportunity",
    "Client": "won",
    "Nouveau": "lead",
    "Qualification": "opportunity",
    "Proposition": "opportunity",
    "Négociation": "opportunity",
    "Non qualifié": "disqualified",
}

VENDORS = {
    "hubspot": HUBSPOT,
    "salesforce": SALESFORCE,
    "pipedrive": PIPEDRIVE,
    "zoho": ZOHO,
    "dynamics": DYNAMICS,
    "japanese": JAPANESE,
    "german": GERMAN,
    "spanish": SPANISH,
    "french": FRENCH,
}
CASES = [
    pytest.param(raw, canon, id=f"{vendor}-{raw}") for vendor, table in VENDORS.items() for raw, canon in table.items()
]


@pytest.mark.parametrize(("raw", "canon"), CASES)
def test_vendor_stage(raw: str, canon: str) -> None:
    assert canonical_stage(raw) == canon


@pytest.mark.parametrize(
    ("plain", "accented"),
    [
        ("Negociacion", "Negociación"),
        ("NEGOCIACIÓN", "negociacion"),
        ("Presentacion programada", "Presentación programada"),
        ("Decideur implique", "Décideur impliqué"),
        ("Ferme gagne", "Fermé gagné"),
        ("Qualifie pour l’achat", "Qualifié pour l'achat"),
        ("Prasentation geplant", "Präsentation geplant"),
        ("Entscheidungstrager eingebunden", "Entscheidungsträger eingebunden"),
    ],
)
def test_accents_do_not_matter(plain: str, accented: str) -> None:
    assert stage_key(plain) == stage_key(accented)
    assert canonical_stage(plain) == canonical_stage(accented) is not None


def test_german_umlaut_spelled_out() -> None:
    assert canonical_stage("Praesentation geplant") == "opportunity"
    assert substage_rank("Entscheidungstraeger eingebunden") == 40


def test_kana_voicing_marks_are_not_accents() -> None:
    # NFKD splits "グ" into "ク" + a combining voicing mark; only Latin accents are dropped.
    assert stage_key("ヒアリング") == "ヒアリング"
    assert stage_key("ﾃﾞﾓ") == "デモ"
    assert stage_key("Décideur") == "decideur"


@pytest.mark.parametrize(
    "raw", ["Closed", "Abgeschlossen", "Cerrado", "Fermé", "Conclu", "Closed - Converted (pending)", "Aヨミ"]
)
def test_closed_alone_is_neither_won_nor_lost(raw: str) -> None:
    assert canonical_stage(raw) not in ("won", "lost")


@pytest.mark.parametrize(
    ("raw", "canon"),
    [
        ("Closed - Not Won", "lost"),
        ("Closed Won - Renewal", "won"),
        ("Closed / Lost", "lost"),
        ("内示", "opportunity"),  # a verbal commit is not won yet
        ("口頭受注", "opportunity"),
        ("Lost Lead", "lost"),
        ("On Hold", "opportunity"),
    ],
)
def test_won_and_lost_are_not_ambiguous(raw: str, canon: str) -> None:
    assert canonical_stage(raw) == canon


# ---------------------------------------------------------------------------------------------- sub-stages

SALESFORCE_OPEN = [
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Perception Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
]
HUBSPOT_OPEN = [
    "Appointment scheduled",
    "Qualified to buy",
    "Presentation scheduled",
    "Decision maker bought-in",
    "Contract sent",
]
JAPANESE_OPEN = ["初回訪問", "ヒアリング", "提案", "見積提出", "交渉", "稟議", "内示"]


@pytest.mark.parametrize(
    ("raw", "rank"),
    [
        ("Prospecting", 10),
        ("Qualification", 20),
        ("Needs Analysis", 20),
        ("Value Proposition", 30),
        ("Id. Decision Makers", 40),
        ("Perception Analysis", 40),
        ("Proposal/Price Quote", 50),
        ("Negotiation/Review", 60),
        ("appointmentscheduled", 10),
        ("Qualified to buy", 20),
        ("Presentation scheduled", 30),
        ("Decision maker bought-in", 40),
        ("Contract sent", 60),
        ("Contact Made", 10),
        ("Demo Scheduled", 30),
        ("Proposal Made", 50),
        ("Negotiations Started", 60),
        ("Identify Decision Makers", 40),
        ("Qualify", 20),
        ("Develop", 30),
        ("Propose", 50),
        ("Close", 60),
        ("初回訪問", 10),
        ("初回面談", 10),
        ("課題ヒアリング", 20),
        ("ニーズ確認", 20),
        ("デモ", 30),
        ("決裁者商談", 40),
        ("提案書提出", 50),
        ("見積提示", 50),
        ("条件交渉", 60),
        ("稟議中", 60),
        ("内諾", 70),
        ("口頭受注", 70),
        ("提案（再提出）", 50),
        ("Termin vereinbart", 10),
        ("Bedarfsanalyse", 20),
        ("Angebot", 50),
        ("Verhandlung", 60),
        ("Cita programada", 10),
        ("Propuesta", 50),
        ("Negociacion", 60),
        ("Rendez-vous programmé", 10),
        ("Décideur impliqué", 40),
        ("Contrat envoyé", 60),
    ],
)
def test_substage_rank(raw: str, rank: int) -> None:
    assert substage_rank(raw) == rank


@pytest.mark.parametrize(
    "raw", ["Opportunity", "商談", "Open", "On Hold", "保留", "Closed Won", "Lost", "MQL", "アポ獲得", "Aヨミ", ""]
)
def test_substage_rank_none(raw: str) -> None:
    assert substage_rank(raw) is None


@pytest.mark.parametrize("open_stages", [SALESFORCE_OPEN, HUBSPOT_OPEN, JAPANESE_OPEN], ids=["sf", "hubspot", "ja"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_substage_order(open_stages: list[str], seed: int) -> None:
    shuffled = [*open_stages, "Closed Won", "Closed Lost"]
    random.Random(seed).shuffle(shuffled)
    order = order_stages(map_stages(shuffled))
    assert order[: len(open_stages)] == open_stages
    assert order[-2:] == ["Closed Lost", "Closed Won"]


def test_japanese_order_generic_first_hold_last() -> None:
    values = ["受注", "保留", "内示", "見積提出", "商談", "ヒアリング", "リード", "失注", "Aヨミ"]
    order = order_stages(map_stages(values))
    assert order == ["リード", "商談", "ヒアリング", "見積提出", "内示", "保留", "失注", "受注", "Aヨミ"]


def test_unknown_sub_stage_with_a_note_is_ordered_by_its_rank() -> None:
    order = order_stages(map_stages(["交渉", "提案（再提出）", "初回訪問"]))
    assert order == ["初回訪問", "提案（再提出）", "交渉"]


def test_override_to_opportunity_goes_with_the_generic_names() -> None:
    order = order_stages(
        map_stages(["Negotiation/Review", "Custom step", "Prospecting"], {"Custom step": "opportunity"})
    )
    assert order == ["Custom step", "Prospecting", "Negotiation/Review"]


# ------------------------------------------------------------------------------------------------ lead list


def test_lead_list_rule_is_documented() -> None:
    assert "disqualified" in LEAD_LIST_RULE and "lead_list" in LEAD_LIST_RULE


def test_lost_in_a_salesforce_lead_list_is_disqualified() -> None:
    mapping = map_stages(["New", "Working - Contacted", "Lost", "Unqualified"])
    assert mapping == {
        "New": "lead",
        "Working - Contacted": "lead",
        "Lost": "disqualified",
        "Unqualified": "disqualified",
    }


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (  # Zoho lead status
            ["Not Contacted", "Contacted", "Pre-Qualified", "Lost Lead", "Junk Lead"],
            ["lead", "lead", "mql", "disqualified", "disqualified"],
        ),
        (
            ["リード", "MQL", "失注", "見送り", "対象外"],
            ["lead", "mql", "disqualified", "disqualified", "disqualified"],
        ),
        (["Neu", "Lead", "Verloren"], ["lead", "lead", "disqualified"]),
        (["Nuevo", "Perdido", "No calificado"], ["lead", "disqualified", "disqualified"]),
        (["Nouveau", "Perdu", "Non qualifié"], ["lead", "disqualified", "disqualified"]),
        (["New", "Lost (no budget)", "Closed Lost"], ["lead", "disqualified", "disqualified"]),
    ],
)
def test_lead_lists(values: list[str], expected: list[str]) -> None:
    assert map_stages(values) == dict(zip(values, expected, strict=True))


@pytest.mark.parametrize(
    "extra",
    ["Closed Won", "Prospecting", "Opportunity", "Closed - Converted", "受注"],
)
def test_not_a_lead_list_when_a_later_level_is_there(extra: str) -> None:
    mapping = map_stages(["New", "Working - Contacted", "Lost", "Unqualified", extra])
    assert mapping["Lost"] == "lost"


def test_lost_only_is_not_a_lead_list() -> None:
    assert map_stages(["Lost", "Unqualified"]) == {"Lost": "lost", "Unqualified": "disqualified"}


def test_lead_list_forced() -> None:
    assert map_stages(["Closed Won", "Lost"], lead_list=True) == {"Closed Won": "won", "Lost": "disqualified"}
    assert map_stages(["New", "Lost"], lead_list=False) == {"New": "lead", "Lost": "lost"}


def test_overrides_win_over_the_lead_list_rule() -> None:
    assert map_stages(["New", "Lost", "失注"], {"Lost": "lost"}) == {
        "New": "lead",
        "Lost": "lost",
        "失注": "disqualified",
    }
    # An override to a later level means the values are no lead list.
    assert map_stages(["New", "Lost", "Aヨミ"], {"Aヨミ": "opportunity"}) == {
        "New": "lead",
        "Lost": "lost",
        "Aヨミ": "opportunity",
    }


def test_map_stages_takes_counts() -> None:
    assert map_stages({"New": 5, "Lost": 2}) == {"New": "lead", "Lost": "disqualified"}


# ------------------------------------------------------------------------------------------ two signals


@pytest.mark.parametrize(
    ("canonicals", "expected"),
    [
        (("won", "lost"), "won"),  # lead status Customer, deal stage Lost
        (("opportunity", "won"), "won"),  # lifecycle Opportunity, deal stage Closed Won
        (("opportunity", "lost"), "lost"),
        (("lost", "sql"), "lost"),
        (("lead", "mql"), "mql"),
        (("mql", "sql", "lead"), "sql"),
        (("sql", "opportunity"), "opportunity"),
        (("disqualified", "lead"), "disqualified"),
        (("disqualified", "mql"), "mql"),
        (("disqualified", "opportunity"), "opportunity"),
        (("disqualified", "lost"), "lost"),
        (("disqualified", "won"), "won"),
        (("disqualified",), "disqualified"),
        ((None, "mql"), "mql"),
        (("lost", None, "won"), "won"),
        ((None, None), None),
        ((), None),
    ],
)
def test_furthest_stage(canonicals: tuple[str | None, ...], expected: str | None) -> None:
    assert furthest_stage(*canonicals) == expected


def test_furthest_stage_rejects_raw_values() -> None:
    with pytest.raises(ValueError, match="Closed Won"):
        furthest_stage("lead", "Closed Won")


@pytest.mark.parametrize(
    ("stage", "won_flag", "closed_flag", "expected"),
    [
        ("lost", True, None, "won_flag_not_won_stage"),
        ("opportunity", True, None, "won_flag_not_won_stage"),
        ("lead", True, True, "won_flag_not_won_stage"),
        ("disqualified", True, True, "won_flag_not_won_stage"),
        ("won", False, None, "won_stage_flag_false"),
        ("won", False, True, "won_stage_flag_false"),
        ("opportunity", None, True, "closed_flag_open_stage"),
        ("sql", False, True, "closed_flag_open_stage"),
        ("lead", None, True, "closed_flag_open_stage"),
        ("won", True, True, None),
        ("lost", False, True, None),
        ("disqualified", None, True, None),
        ("opportunity", False, False, None),
        ("opportunity", None, None, None),
        ("won", None, False, None),
        (None, True, True, None),
    ],
)
def test_contradiction(
    stage: str | None, won_flag: bool | None, closed_flag: bool | None, expected: str | None
) -> None:
    assert contradiction(stage, won_flag, closed_flag) == expected
