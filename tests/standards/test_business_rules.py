"""Every business rule proven: a minimal valid message passes, one mutation breaks exactly that rule.

One row per rule code: the standard and message, the mutation, and the findings expected (each a
code with its locations). A row expects only its own code, except where the rule set makes two
codes inseparable (CD077 always comes with CD078); several findings of the same code are listed.
"""

from __future__ import annotations

import pytest
from lxml import etree
from rule_messages import add, apply, base, drop, dup, message_type, set_

from ketensim.exceptions import UnknownMessageType, UnsafeXML
from ketensim.standards.rules import RULE_RELEASES, applicability, applies, check, rules
from ketensim.standards.rules.engine import run
from ketensim.standards.rules.rapport import RAPPORT_NAMESPACE, rapport_bytes
from ketensim.standards.validation import is_valid

CL = "/Bericht/Client"
CONTACT = f"{CL}/Contactgegevens/Contact"
ADRES = f"{CONTACT}/Adres"
TP = f"{CL}/ToegewezenProducten/ToegewezenProduct"
AP = f"{CL}/AangevraagdeProducten/AangevraagdProduct"
VZ = f"{CL}/Verzoek"
NP = f"{VZ}/NieuweProducten/NieuwProduct"
DAG = "/Bericht/Header/BerichtIdentificatie/Dagtekening"
DECL = "/Bericht/Declaratie"
PR = f"{DECL}/Clienten/Client/Prestaties/Prestatie"
ANTW = "/Bericht/DeclaratieAntwoord"
PR325 = f"{ANTW}/Clienten/Client/Prestaties/Prestatie"

# path prefixes the mutations use (local names, from below Bericht)
C = "Client"
CT = "Client/Contactgegevens/Contact"
AD = f"{CT}/Adres"
T = "Client/ToegewezenProducten/ToegewezenProduct"
A = "Client/AangevraagdeProducten/AangevraagdProduct"
N = "Client/Verzoek/NieuweProducten/NieuwProduct"
P = "Declaratie/Clienten/Client/Prestaties/Prestatie"
P2 = "Declaratie/Clienten/Client/Prestaties/Prestatie[2]"

ROWS = [
    # code, standard, message, mutation, expected findings (code, locations)
    ("CD005", "iwmo", "301", (drop(f"{AD}/LandCode"),), [("CD005", (f"{ADRES}/Postcode",))]),
    (
        "CD007", "iwmo", "301",
        (add(C, "Communicatie", after="Naam"), add(f"{C}/Communicatie", "Vorm", "2", ns="b"),
         add(f"{C}/Communicatie", "Taal", "nl", ns="b")),
        [("CD007", (f"{CL}/Communicatie/Vorm", f"{CL}/Communicatie/Taal"))],
    ),
    (
        "CD009", "iwmo", "301",
        (add(CT, "Periode"), add(f"{CT}/Periode", "Begindatum", "2023-01-01", ns="b")),
        [("CD009", (f"{CONTACT}/Soort", f"{CONTACT}/Periode"))],
    ),
    ("CD025", "iwmo", "301", (drop(f"{AD}/Huis/Huisnummer"),), [("CD025", (f"{ADRES}/LandCode",))]),
    (  # a residence without postcode or country, reachable by phone: only CD034 is broken
        "CD034", "iwmo", "301",
        (set_(f"{CT}/Soort", "03"), drop(f"{AD}/Postcode"), drop(f"{AD}/LandCode"), add(CT, "Telefoon", after="Adres")),
        [("CD034", (f"{CONTACT}/Soort",))],
    ),
    ("CD041", "iwmo", "301", (drop(f"{T}/Omvang"),), [("CD041", (f"{TP}/Product/Code",))]),
    ("CD043", "iwmo", "315", (add(A, "BeschikkingNummer", "7", after="ReferentieAanbieder"),),
     [("CD043", (f"{AP}/BeschikkingNummer",))]),
    ("CD060", "iwmo", "323", (add(f"{P}/ProductReferentie", "VorigReferentieNummer", "P0", ns="b"),),
     [("CD060", (f"{PR}/ProductReferentie/VorigReferentieNummer", f"{PR}/IngediendBedrag/DebetCredit"))]),
    (
        "CD066", "iwmo", "315",
        (set_(f"{A}/Verwijzer/Type", "02"), add(f"{A}/Verwijzer", "Naam", "Dokter", ns="b"),
         add(f"{A}/Verwijzer", "ZorgverlenerCode", "01234567", ns="b")),
        [("CD066", (f"{AP}/Verwijzer/Type", f"{AP}/Verwijzer/Naam", f"{AP}/Verwijzer/ZorgverlenerCode"))],
    ),
    ("CD067", "ijw", "315", (set_(f"{A}/Verwijzer/Type", "03"),), [("CD067", (f"{AP}/Verwijzer/Type",))]),
    ("CD068", "iwmo", "315", (add(f"{A}/Verwijzer", "ZorgverlenerCode", "01234567", ns="b"),),
     [("CD068", (f"{AP}/Verwijzer/Type", f"{AP}/Verwijzer/ZorgverlenerCode"))]),
    (  # a budget product without end date (no code, so no omvang is needed)
        "CD075", "iwmo", "301",
        (drop(f"{T}/Product/Code"), drop(f"{T}/Omvang"), drop(f"{T}/Einddatum"), add(T, "Budget", "1000")),
        [("CD075", (f"{TP}/Budget",))],
    ),
    ("CD076", "iwmo", "301", (drop(f"{T}/Einddatum"),), [("CD076", (f"{TP}/Omvang/Frequentie",))]),
    (  # a filled Budget next to an Omvang breaks CD077 and, necessarily, CD078
        "CD077", "iwmo", "315", (add(A, "Budget", "1000", after="Omvang"),),
        [("CD077", (f"{AP}/Omvang", f"{AP}/Budget")), ("CD078", (f"{AP}/Omvang", f"{AP}/Budget"))],
    ),
    ("CD078", "iwmo", "317", (add(N, "Budget", "", after="Omvang"),), [("CD078", (f"{NP}/Omvang", f"{NP}/Budget"))]),
    ("CD079", "iwmo", "301", (drop(f"{T}/Product"), drop(f"{T}/Omvang")), [("CD079", (TP,))]),
    ("CD080", "iwmo", "301", (drop(f"{T}/Product/Code"),), [("CD080", (f"{TP}/Einddatum", f"{TP}/Omvang"))]),
    ("CD085", "iwmo", "319", (drop("Antwoord/RedenAfwijzingVerzoek"),), [("CD085", ("/Bericht/Antwoord/VerzoekAntwoord",))]),
    ("CD086", "ijw", "319", (set_("Antwoord/VerzoekAntwoord", "2"),),
     [("CD086", ("/Bericht/Antwoord/VerzoekAntwoord", "/Bericht/Antwoord/RedenAfwijzingVerzoek"))]),
    ("CD087", "iwmo", "323", (drop(f"{P}/ProductTarief"),), [("CD087", (f"{PR}/Eenheid",))]),
    ("CD095", "ijw", "315", (drop(f"{A}/Product/Code"),), [("CD095", (f"{AP}/ToewijzingEinddatum", f"{AP}/Omvang"))]),
    ("CD096", "iwmo", "317", (drop(f"{N}/Product/Code"),), [("CD096", (f"{NP}/Einddatum", f"{NP}/Omvang"))]),
    ("CS002", "iwmo", "301", (set_("Client/Bsn", "123456789"),), [("CS002", (f"{CL}/Bsn",))]),
    ("CS003", "ijw", "301", (set_(f"{T}/Einddatum", "2023-06-30"),), [("CS003", (f"{TP}/Ingangsdatum", f"{TP}/Einddatum"))]),
    ("CS050", "iwmo", "301", (set_("Client/Naam/NaamGebruik", "6"),), [("CS050", (f"{CL}/Naam/NaamGebruik",))]),
    ("CS058", "iwmo", "305", (set_("Client/StartProducten/StartProduct/StatusAanlevering", "2"),),
     [("CS058", (f"{CL}/StartProducten/StartProduct/StatusAanlevering",))]),
    ("CS089", "iwmo", "301", (set_(f"{AD}/Postcode", "1234 AB"),), [("CS089", (f"{ADRES}/Postcode", f"{ADRES}/LandCode"))]),
    (  # care in December 2020: both the declaration period and the prestatie start too early
        "CS100", "iwmo", "323",
        (set_("Declaratie/DeclaratiePeriode/Begindatum", "2020-12-01"), set_("Declaratie/DeclaratiePeriode/Einddatum", "2020-12-31"),
         set_(f"{P}/ProductPeriode/Begindatum", "2020-12-01"), set_(f"{P}/ProductPeriode/Einddatum", "2020-12-31")),
        [("CS100", (f"{DECL}/DeclaratiePeriode/Begindatum",)), ("CS100", (f"{PR}/ProductPeriode/Begindatum",))],
    ),
    ("CS139", "iwmo", "315", (add("Client/Geboortedatum", "DatumGebruik", "1", ns="b"),),
     [("CS139", (f"{CL}/Geboortedatum/Datum", f"{CL}/Geboortedatum/DatumGebruik"))]),
    ("CS318", "ijw", "301", (set_("Client/Naam/NaamGebruik", "6"),), [("CS318", (f"{CL}/Naam/NaamGebruik",))]),
    (  # a zero credit (linked to its line, totals kept right)
        "CS325", "iwmo", "323",
        (set_(f"{P}/IngediendBedrag/Bedrag", "0"), set_(f"{P}/IngediendBedrag/DebetCredit", "C"),
         add(f"{P}/ProductReferentie", "VorigReferentieNummer", "P0", ns="b"), set_("Declaratie/TotaalIngediendBedrag/TotaalBedrag", "0")),
        [("CS325", (f"{PR}/IngediendBedrag/Bedrag", f"{PR}/IngediendBedrag/DebetCredit"))],
    ),
    ("CS335", "iwmo", "301", (add(T, "RedenWijziging", "13", after="Einddatum"),), [("CS335", (f"{TP}/Ingangsdatum", f"{TP}/Einddatum"))]),
    ("CS336", "ijw", "301", (add(T, "RedenWijziging", "01", after="Einddatum"),), [("CS336", (f"{TP}/RedenWijziging",))]),
    ("CS337", "iwmo", "323", (set_(f"{P}/ProductPeriode/Begindatum", "2023-04-20"), set_(f"{P}/ProductPeriode/Einddatum", "2023-05-10")),
     [("CS337", (f"{PR}/ProductPeriode/Begindatum", f"{PR}/ProductPeriode/Einddatum"))]),
    ("CS338", "iwmo", "301", (set_(f"{T}/Omvang/Eenheid", "14"), set_(f"{T}/Omvang/Frequentie", "1")),
     [("CS338", (f"{TP}/Einddatum", f"{TP}/Omvang/Eenheid", f"{TP}/Omvang/Frequentie"))]),
    ("CS339", "iwmo", "323", (set_(f"{P}/Eenheid", "83"), drop(f"{P}/ProductTarief")),
     [("CS339", (f"{PR}/GeleverdVolume", f"{PR}/IngediendBedrag/Bedrag"))]),
    ("CS340", "iwmo", "323", (set_("Declaratie/DeclaratiePeriode/Einddatum", "2023-05-30"), set_(f"{P}/ProductPeriode/Einddatum", "2023-05-30")),
     [("CS340", (f"{DECL}/DeclaratiePeriode/Begindatum", f"{DECL}/DeclaratiePeriode/Einddatum"))]),
    ("CS343", "ijw", "315", (set_(f"{A}/Omvang/Eenheid", "16"), set_(f"{A}/Omvang/Frequentie", "1")),
     [("CS343", (f"{AP}/ToewijzingEinddatum", f"{AP}/Omvang/Eenheid", f"{AP}/Omvang/Frequentie"))]),
    ("TR002", "iwmo", "307", (set_("Client/Geboortedatum/Datum", "1900-01-01"),), [("TR002", (DAG, f"{CL}/Geboortedatum/Datum"))]),
    (  # an address abroad without house: neither phone nor house
        "TR006", "iwmo", "301", (drop(f"{AD}/Huis"), set_(f"{AD}/LandCode", "BE")), [("TR006", (CONTACT,))],
    ),
    ("TR018", "iwmo", "307", (set_("Client/StopProducten/StopProduct/Einddatum", "2023-05-01"),),
     [("TR018", (f"{CL}/StopProducten/StopProduct/Begindatum", f"{CL}/StopProducten/StopProduct/Einddatum"))]),
    ("TR061", "ijw", "301", (set_(f"{CT}/Soort", "04"),), [("TR061", (CONTACT,))]),
    ("TR101", "iwmo", "301", (dup(CT),), [("TR101", (f"{CONTACT}[1]", f"{CONTACT}[2]"))]),
    ("TR134", "iwmo", "301", (set_(f"{T}/Toewijzingsdatum", "2023-06-20"),), [("TR134", (DAG, f"{TP}/Toewijzingsdatum"))]),
    ("TR137", "iwmo", "325", (set_("DeclaratieAntwoord/Clienten/Client/Prestaties/Prestatie/ProductPeriode/Einddatum", "2023-04-30"),),
     [("TR137", (f"{PR325}/ProductPeriode/Begindatum", f"{PR325}/ProductPeriode/Einddatum"))]),
    ("TR302", "iwmo", "301", (dup(T), set_(f"{T}[2]/ToewijzingNummer", "1002")), [("TR302", (f"{TP}[1]", f"{TP}[2]"))]),
    (  # two credits cancelling the same line
        "TR315", "iwmo", "323",
        (set_(f"{P}/IngediendBedrag/DebetCredit", "C"), add(f"{P}/ProductReferentie", "VorigReferentieNummer", "P0", ns="b"),
         dup(P), set_(f"{P2}/ProductReferentie/ReferentieNummer", "P2"),
         set_("Declaratie/TotaalIngediendBedrag/TotaalBedrag", "20000"), set_("Declaratie/TotaalIngediendBedrag/DebetCredit", "C")),
        [("TR315", (f"{PR}[1]/ProductReferentie/VorigReferentieNummer", f"{PR}[2]/ProductReferentie/VorigReferentieNummer"))],
    ),
    (  # the debit P1 credited in the same declaration
        "TR316", "iwmo", "323",
        (dup(P), set_(f"{P2}/ProductReferentie/ReferentieNummer", "P2"), set_(f"{P2}/IngediendBedrag/DebetCredit", "C"),
         add(f"{P2}/ProductReferentie", "VorigReferentieNummer", "P1", ns="b"), set_("Declaratie/TotaalIngediendBedrag/TotaalBedrag", "0")),
        [("TR316", (f"{PR}[1]/ProductReferentie/ReferentieNummer", f"{PR}[2]/ProductReferentie/VorigReferentieNummer"))],
    ),
    (  # a prestatie wholly after the declaration period: both of its dates
        "TR319", "iwmo", "323", (set_(f"{P}/ProductPeriode/Begindatum", "2023-06-01"), set_(f"{P}/ProductPeriode/Einddatum", "2023-06-10")),
        [("TR319", (f"{DECL}/DeclaratiePeriode/Einddatum", f"{PR}/ProductPeriode/Begindatum")),
         ("TR319", (f"{DECL}/DeclaratiePeriode/Einddatum", f"{PR}/ProductPeriode/Einddatum"))],
    ),
    ("TR335", "ijw", "323", (set_("Declaratie/DeclaratieDagtekening", "2028-07-01"),),
     [("TR335", (f"{DECL}/DeclaratieDagtekening", f"{PR}/ProductPeriode/Einddatum"))]),
    ("TR342", "iwmo", "325", (set_("DeclaratieAntwoord/TotaalToegekendBedrag/TotaalBedrag", "500"),),
     [("TR342", (f"{ANTW}/TotaalIngediendBedrag", f"{ANTW}/TotaalToegekendBedrag"))]),
    ("TR352", "iwmo", "317", (drop("Client/Verzoek/TeWijzigenProducten"),), [("TR352", (VZ,))]),
    (
        "TR353", "iwmo", "317",
        (drop("Client/Verzoek/TeWijzigenProducten"), drop("Client/Verzoek/NieuweProducten"),
         add("Client/Verzoek", "OngewijzigdeProducten"), add("Client/Verzoek/OngewijzigdeProducten", "OngewijzigdProduct"),
         add("Client/Verzoek/OngewijzigdeProducten/OngewijzigdProduct", "ToewijzingNummer", "1001")),
        [("TR353", (VZ,))],
    ),
    ("TR358", "iwmo", "323", (set_("Declaratie/TotaalIngediendBedrag/TotaalBedrag", "010000"),),
     [("TR358", (f"{DECL}/TotaalIngediendBedrag/TotaalBedrag", f"{DECL}/TotaalIngediendBedrag/DebetCredit", f"{PR}/IngediendBedrag"))]),
    ("TR377", "ijw", "319", (set_("Antwoord/RedenAfwijzingVerzoek", "8"),), [("TR377", ("/Bericht/Antwoord/RedenAfwijzingVerzoek",))]),
    ("TR380", "iwmo", "317", (set_(f"{N}/GewensteIngangsdatum", "2023-06-15"),), [("TR380", (DAG, f"{NP}/GewensteIngangsdatum"))]),
    (  # the same reference, written once with spaces: TR101 compares raw texts, TR383 the trimmed one
        "TR383", "iwmo", "315",
        (dup(A), set_(f"{A}[2]/ReferentieAanbieder", " R1 "), set_(f"{A}[2]/Product/Categorie", "03"), set_(f"{A}[2]/Product/Code", "03A01")),
        [("TR383", (f"{AP}[1]/ReferentieAanbieder",))],
    ),
    ("TR386", "ijw", "315", (dup(A), set_(f"{A}[2]/ReferentieAanbieder", "R2")), [("TR386", (f"{AP}[1]", f"{AP}[2]"))]),
    ("TR409", "ijw", "319", (add("Antwoord", "Woonplaatsbeginsel"), add("Antwoord/Woonplaatsbeginsel", "Gemeente", "0363")),
     [("TR409", ("/Bericht/Antwoord/RedenAfwijzingVerzoek", "/Bericht/Antwoord/Woonplaatsbeginsel"))]),
    ("TR410", "iwmo", "317", (dup(N), set_(f"{N}[2]/GewensteIngangsdatum", "2023-07-10")), [("TR410", (f"{NP}[1]", f"{NP}[2]"))]),
    ("TR416", "iwmo", "323", (dup(P), set_(f"{P2}/ProductReferentie/ReferentieNummer", "P2"), set_("Declaratie/TotaalIngediendBedrag/TotaalBedrag", "20000")),
     [("TR416", (f"{PR}[1]", f"{PR}[2]"))]),
]


def _found(standard: str, number: str, root: etree._Element) -> list[tuple[str, tuple[str, ...]]]:
    return [(f.code, f.paths) for f in check(root, message_type(standard, number))]


class TestEveryRule:
    def test_table_has_one_row_per_code(self):
        """The table covers every registered rule exactly once: 61 codes, 58 of them iWmo."""
        codes = [row[0] for row in ROWS]
        assert sorted(codes) == sorted(r.code for r in rules())
        assert len(codes) == len(set(codes)) == 61
        assert sum("iwmo" in r.standards for r in rules()) == 58

    @pytest.mark.parametrize("standard", ["iwmo", "ijw"])
    @pytest.mark.parametrize("number", ["301", "305", "307", "315", "317", "319", "323", "325"])
    def test_base_message_is_valid_and_clean(self, standard, number):
        """Each base message passes its XSD and breaks no rule."""
        root = base(standard, number)
        assert is_valid(message_type(standard, number), root)
        assert _found(standard, number, root) == []

    @pytest.mark.parametrize(("code", "standard", "number", "ops", "expected"), ROWS, ids=[row[0] for row in ROWS])
    def test_mutation_breaks_exactly_this_rule(self, code, standard, number, ops, expected):
        """The mutation yields the rule's code at exactly the expected locations, and nothing else."""
        root = apply(base(standard, number), standard, number, ops)
        assert _found(standard, number, root) == expected


class TestStandardDifferences:
    def test_cs050_allows_6_without_partnernaam_in_ijw_only(self):
        """iJw lets NaamGebruik be 6 without a partner name (CS050), but CS318 forbids 6 for the client."""
        ops = (set_("Client/Naam/NaamGebruik", "6"),)
        assert [c for c, _ in _found("iwmo", "301", apply(base("iwmo", "301"), "iwmo", "301", ops))] == ["CS050"]
        assert [c for c, _ in _found("ijw", "301", apply(base("ijw", "301"), "ijw", "301", ops))] == ["CS318"]

    def test_tr302_exempts_wmo_categories_11_to_14(self):
        """iWmo lets a product of categories 11-14 occur twice; the same overlap in another category is TR302."""
        ops = (dup(T), set_(f"{T}[2]/ToewijzingNummer", "1002"), set_(f"{T}[1]/Product/Categorie", "12"),
               set_(f"{T}[2]/Product/Categorie", "12"))
        assert _found("iwmo", "301", apply(base("iwmo", "301"), "iwmo", "301", ops)) == []

    def test_woonplaatsbeginsel_rules_are_ijw_only(self):
        """A 319 rejecting for reason 8 without Woonplaatsbeginsel is TR377 in iJw and nothing in iWmo."""
        ops = (set_("Antwoord/RedenAfwijzingVerzoek", "8"),)
        assert _found("iwmo", "319", apply(base("iwmo", "319"), "iwmo", "319", ops)) == []

    def test_tr101_groups_give_one_finding_at_the_last_member(self):
        """Three equal contacts are one TR101 finding naming all three."""
        root = apply(base("iwmo", "301"), "iwmo", "301", (dup(CT), dup(CT)))
        assert _found("iwmo", "301", root) == [("TR101", (f"{CONTACT}[1]", f"{CONTACT}[2]", f"{CONTACT}[3]"))]


class TestCheck:
    def test_check_accepts_bytes_and_detects_the_type(self):
        """Bytes are parsed safely and the type follows from the namespace."""
        root = apply(base("iwmo", "301"), "iwmo", "301", (set_("Client/Bsn", "123456789"),))
        (finding,) = check(etree.tostring(root))
        assert (finding.code, finding.retourcode) == ("CS002", "")
        assert finding.explanation.startswith("Het BSN")

    def test_check_refuses_hostile_bytes(self):
        """An entity declaration is refused before parsing."""
        with pytest.raises(UnsafeXML, match="DOCTYPE/ENTITY"):
            check(b'<!DOCTYPE x [<!ENTITY e "x">]><x>&e;</x>')

    def test_a_digit_that_is_no_number_is_a_finding_not_a_crash(self):
        """"²" passes str.isdigit() but not int(): a BSN of it fails the 11-proef, a date of it is no date."""
        root = apply(base("iwmo", "301"), "iwmo", "301", (set_("Client/Bsn", "²"), set_("Client/Geboortedatum/Datum", "²")))
        assert [(f.code, f.paths) for f in check(root)] == [("CS002", ("/Bericht/Client/Bsn",))]
        assert check(root) == run(root, message_type("iwmo", "301"), screen=False)

    def test_an_amount_beyond_a_double_is_a_finding_not_a_crash(self):
        """ "1e400" reads as inf: the total no longer adds up (TR358), it does not overflow int()."""
        root = apply(base("iwmo", "323"), "iwmo", "323",
                     (set_("Declaratie/Clienten/Client/Prestaties/Prestatie/IngediendBedrag/Bedrag", "1e400"),))
        assert "TR358" in {f.code for f in check(root)}
        assert check(root) == run(root, message_type("iwmo", "323"), screen=False)

    def test_check_names_a_wrong_message_code(self):
        """A code that does not match the namespace is an error naming both."""
        with pytest.raises(UnknownMessageType, match="message is WMO301 3.2 .*not 'WMO315'"):
            check(base("iwmo", "301"), "WMO315")

    def test_retours_and_2x_have_no_rules(self):
        """The rule set checks 3.x heen messages and the 325, nothing else."""
        from ketensim.standards.catalogue import get_catalogue

        cat = get_catalogue()
        assert not applies(cat.get("iwmo", "3.2", "302"))
        assert not applies(cat.get("iwmo", "2.4", "301"))
        assert not applies(cat.get("iwmo", "3.0", "303"))
        assert applies(cat.get("ijw", "3.0", "325"))

    def test_tr342_carries_retourcode_0001(self):
        """TR342 is the only rule with a retourcode."""
        root = apply(base("iwmo", "325"), "iwmo", "325", (set_("DeclaratieAntwoord/TotaalToegekendBedrag/TotaalBedrag", "500"),))
        assert [f.retourcode for f in check(root)] == ["0001"]
        assert [r.code for r in rules() if r.retourcode] == ["TR342"]

    def test_every_rule_applies_in_every_3x_release(self):
        """3.0 and 3.1 have every element the rules read: each rule is derived there and documented for 3.2."""
        for rule in rules():
            found = {(a.standard, a.release): a.fidelity for a in applicability(rule)}
            for standard in rule.standards:
                assert [found[(standard, r)] for r in RULE_RELEASES] == ["derived", "derived", "documented"], rule.code


class TestRapport:
    def test_rapport_shape(self):
        """The Rapport repeats the header's identification and lists each finding as a Fout."""
        root = apply(base("ijw", "325"), "ijw", "325", (set_("DeclaratieAntwoord/TotaalToegekendBedrag/TotaalBedrag", "500"),))
        doc = etree.fromstring(rapport_bytes(root, check(root), "ijw"))
        ns = {"r": RAPPORT_NAMESPACE}
        assert doc.prefix == "n8"
        header = [etree.QName(c).localname for c in doc.find("r:Header", ns)]
        assert header == ["BerichtCode", "BerichtVersie", "BerichtSubversie", "BerichtIdentificatie", "XSLTVersie"]
        assert doc.findtext("r:Header/r:BerichtIdentificatie/r:Dagtekening", namespaces=ns) == "2023-06-15"
        (fout,) = doc.findall("r:Fouten/r:Fout", ns)
        assert [etree.QName(c).localname for c in fout] == ["Code", "Retourcode", "Locatie", "Locatie", "Details"]

    def test_rapport_without_findings_has_empty_fouten(self):
        """A clean message gives ``<Fouten/>``."""
        root = base("iwmo", "301")
        doc = etree.fromstring(rapport_bytes(root, [], "iwmo"))
        fouten = doc.find(f"{{{RAPPORT_NAMESPACE}}}Fouten")
        assert fouten is not None and len(fouten) == 0 and doc.prefix == "n4"
