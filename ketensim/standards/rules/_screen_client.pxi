# Screens of client.py (the 301's contacts, addresses, names, communication). Included by _screen.pyx.


cdef int s_cd005(Ctx* ctx, xmlNode* adres) noexcept:
    cdef int p = filled(child(adres, b"Postcode")), l = filled(child(adres, b"LandCode"))
    return p >= 0 and l >= 0 and p == l


cdef int s_cd007(Ctx* ctx, xmlNode* communicatie) noexcept:
    cdef xmlNode* vorm = child(communicatie, b"Vorm")
    cdef xmlNode* taal = child(communicatie, b"Taal")
    if vorm is NULL and taal is NULL:
        return CLEAN
    cdef int t = filled(taal), v = is_(vorm, b"1")
    return t >= 0 and v >= 0 and t == v


cdef int s_cd009(Ctx* ctx, xmlNode* contact) noexcept:
    return child(contact, b"Periode") is NULL or is_(child(contact, b"Soort"), b"04") == 1


cdef int s_cd025(Ctx* ctx, xmlNode* adres) noexcept:
    cdef int nl = is_(child(adres, b"LandCode"), b"NL")
    return nl == 0 or (nl == 1 and filled(at2(adres, b"Huis", b"Huisnummer")) == 1)


cdef int s_cd034(Ctx* ctx, xmlNode* contact) noexcept:
    cdef const char* soort
    cdef xmlNode* s = child(contact, b"Soort")
    if s is NULL:
        return CLEAN
    if val(s, &soort) != SURE:
        return MAYBE
    return not one_of(soort, b"01", b"03") or filled(at2(contact, b"Adres", b"Postcode")) == 1


cdef bint postcode_nl(const char* s) noexcept:
    """The raw text is four ASCII digits (not starting with 0) and two ASCII letters."""
    cdef int i
    if strlen(s) != 6 or not (b"1"[0] <= s[0] <= b"9"[0]):
        return False
    for i in range(1, 4):
        if not (b"0"[0] <= s[i] <= b"9"[0]):
            return False
    for i in range(4, 6):
        if not (b"A"[0] <= s[i] <= b"Z"[0] or b"a"[0] <= s[i] <= b"z"[0]):
            return False
    return True


cdef int s_cs089(Ctx* ctx, xmlNode* adres) noexcept:
    cdef const char* s
    cdef xmlNode* postcode
    cdef int nl = is_(child(adres, b"LandCode"), b"NL")
    if nl != 1:
        return nl == 0
    postcode = child(adres, b"Postcode")
    return postcode is not NULL and text(postcode, &s) == SURE and postcode_nl(s)


cdef int s_tr006(Ctx* ctx, xmlNode* contact) noexcept:
    cdef xmlNode* adres
    if child(contact, b"Telefoon") is not NULL:
        return CLEAN
    adres = child(contact, b"Adres")
    return child(adres, b"Huis") is not NULL and child(adres, b"Postcode") is not NULL


cdef int s_tr061(Ctx* ctx, xmlNode* contactgegevens) noexcept:
    cdef const char* s
    cdef xmlNode* contact = child(contactgegevens, b"Contact")
    while contact is not NULL:
        if raw(child(contact, b"Soort"), &s) == SURE and (one_of(s, b"01", b"02") or strcmp(s, b"03") == 0):
            return CLEAN
        contact = after(contact, b"Contact")
    return MAYBE


cdef int s_cs050(Ctx* ctx, xmlNode* naamgebruik) noexcept:
    cdef const char* s
    if val(naamgebruik, &s) != SURE:
        return MAYBE
    if child(naamgebruik.parent, b"Partnernaam") is not NULL:
        return one_of(s, b"1", b"2") or one_of(s, b"3", b"4")
    return strcmp(s, b"1") == 0 or (ctx.ijw and strcmp(s, b"6") == 0)


cdef int s_cs318(Ctx* ctx, xmlNode* naamgebruik) noexcept:
    return is_(naamgebruik, b"6") == 0


add("CD005", s_cd005)
add("CD007", s_cd007)
add("CD009", s_cd009)
add("CD025", s_cd025)
add("CD034", s_cd034)
add("CS089", s_cs089)
add("TR006", s_tr006)
add("TR061", s_tr061)
add("CS050", s_cs050)
add("CS318", s_cs318)
