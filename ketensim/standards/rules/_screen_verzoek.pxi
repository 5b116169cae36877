# Screens of verzoek.py (315 verwijzer and beschikking, 317 verzoek, 319 antwoord). Included by _screen.pyx.


from ketensim.standards.rules.verzoek import ARTS as _ARTS_CODES

cdef tuple _ARTS = codes_of(_ARTS_CODES)


cdef int arts(const char* s) noexcept:
    """Verwijzer type 02 to 05 (a referring doctor)."""
    return in_codes(s, _ARTS)


cdef int s_cd043(Ctx* ctx, xmlNode* product) noexcept:
    cdef int nummer = filled(child(product, b"BeschikkingNummer"))
    cdef int ingang = filled(child(product, b"BeschikkingIngangsdatum"))
    return nummer >= 0 and ingang >= 0 and nummer == ingang


cdef int s_cd066(Ctx* ctx, xmlNode* verwijzer) noexcept:
    cdef const char* soort
    if val(child(verwijzer, b"Type"), &soort) != SURE:
        return MAYBE
    return not arts(soort) or filled(child(verwijzer, b"ZorgverlenerCode")) == 0 or (
        filled(child(verwijzer, b"Naam")) == 0)


cdef int s_cd067(Ctx* ctx, xmlNode* verwijzer) noexcept:
    cdef const char* soort
    if val(child(verwijzer, b"Type"), &soort) != SURE:
        return MAYBE
    return not arts(soort) or filled(child(verwijzer, b"ZorgverlenerCode")) == 1 or (
        filled(child(verwijzer, b"Naam")) == 1)


cdef int s_cd068(Ctx* ctx, xmlNode* verwijzer) noexcept:
    cdef const char* soort
    if val(child(verwijzer, b"Type"), &soort) != SURE:
        return MAYBE
    return arts(soort) or filled(child(verwijzer, b"ZorgverlenerCode")) == 0


cdef int s_tr352(Ctx* ctx, xmlNode* verzoek) noexcept:
    return (at2(verzoek, b"OngewijzigdeProducten", b"OngewijzigdProduct") is not NULL
            or at2(verzoek, b"TeWijzigenProducten", b"TeWijzigenProduct") is not NULL)


cdef int s_tr353(Ctx* ctx, xmlNode* verzoek) noexcept:
    return (at2(verzoek, b"TeWijzigenProducten", b"TeWijzigenProduct") is not NULL
            or at2(verzoek, b"NieuweProducten", b"NieuwProduct") is not NULL)


cdef int s_tr380(Ctx* ctx, xmlNode* ingang) noexcept:
    cdef long long ref, day
    cdef int rr, rd
    if dagtekening(ctx) is NULL:
        return MAYBE
    rr, rd = ymd(dagtekening(ctx), 10, &ref), ymd(ingang, 0, &day)
    if rr == UNSURE or rd == UNSURE:
        return MAYBE
    return rr == NONE or rd == NONE or ref < day


cdef int s_cd085(Ctx* ctx, xmlNode* antwoord) noexcept:
    cdef int afgewezen = is_(antwoord, b"1")
    return afgewezen == 0 or (afgewezen == 1 and filled(child(antwoord.parent, b"RedenAfwijzingVerzoek")) == 1)


cdef int s_cd086(Ctx* ctx, xmlNode* antwoord) noexcept:
    cdef int onderzoek = is_(antwoord, b"2")
    return onderzoek == 0 or (onderzoek == 1 and filled(child(antwoord.parent, b"RedenAfwijzingVerzoek")) == 0)


cdef int s_tr377(Ctx* ctx, xmlNode* reden) noexcept:
    cdef int woonplaats = is_(reden, b"8")
    return woonplaats == 0 or (woonplaats == 1 and child(reden.parent, b"Woonplaatsbeginsel") is not NULL)


cdef int s_tr409(Ctx* ctx, xmlNode* reden) noexcept:
    cdef int woonplaats = is_(reden, b"8")
    return woonplaats == 1 or (woonplaats == 0 and child(reden.parent, b"Woonplaatsbeginsel") is NULL)


add("CD043", s_cd043)
add("CD066", s_cd066)
add("CD067", s_cd067)
add("CD068", s_cd068)
add("TR352", s_tr352)
add("TR353", s_tr353)
add("TR380", s_tr380)
add("CD085", s_cd085)
add("CD086", s_cd086)
add("TR377", s_tr377)
add("TR409", s_tr409)
