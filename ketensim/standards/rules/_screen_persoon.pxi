# Screens of persoon.py (BSN, birth dates, dates against the dagtekening, the 305/307). Included by _screen.pyx.


cdef int s_cs002(Ctx* ctx, xmlNode* bsn) noexcept:
    cdef const char* s
    cdef size_t n, i
    cdef long total = 0
    cdef int[9] nine
    if val(bsn, &s) != SURE:
        return MAYBE
    n = strlen(s)
    if n == 0:
        return MAYBE  # not a number: the 11-proef fails
    for i in range(n):
        if not (b"0"[0] <= s[i] <= b"9"[0]):
            return MAYBE
    for i in range(9):  # the last nine digits, zero-padded on the left
        nine[i] = s[n - 9 + i] - b"0"[0] if n + i >= 9 else 0
    for i in range(8):
        total += (9 - i) * nine[i]
    total -= nine[8]
    return total % 11 == 0


cdef int s_cs139(Ctx* ctx, xmlNode* geboortedatum) noexcept:
    cdef const char* code
    cdef const char* s
    cdef const char* dash
    cdef xmlNode* gebruik = child(geboortedatum, b"DatumGebruik")
    if gebruik is NULL:
        return CLEAN
    if val(gebruik, &code) != SURE or val(child(geboortedatum, b"Datum"), &s) != SURE:
        return MAYBE
    if strcmp(code, b"1") == 0:  # text.split("-", 2)[2:] == ["01"]
        dash = strstr(s, b"-")
        dash = NULL if dash is NULL else strstr(dash + 1, b"-")
        return dash is not NULL and strcmp(dash + 1, b"01") == 0
    if strcmp(code, b"2") == 0:  # the part after the first dash is "01-01"
        dash = strstr(s, b"-")
        return dash is not NULL and strcmp(dash + 1, b"01-01") == 0
    if strcmp(code, b"3") == 0:
        return strcmp(s, b"1900-01-01") == 0
    return CLEAN


cdef int s_tr002(Ctx* ctx, xmlNode* geboortedatum) noexcept:
    cdef long long born, ref
    cdef int rb, rr, unknown
    cdef xmlNode* datum = child(geboortedatum, b"Datum")
    if datum is NULL:
        return CLEAN
    unknown = is_(child(geboortedatum, b"DatumGebruik"), b"3")
    if unknown == 1 and is_(datum, b"1900-01-01") == 1:
        return CLEAN
    if unknown < 0:
        return MAYBE
    rb, rr = ymd(datum, 0, &born), ymd(dagtekening(ctx), 10, &ref)
    if rb == UNSURE or rr == UNSURE:
        return MAYBE
    return rb == NONE or rr == NONE or born + 1200000 >= ref


cdef int s_tr134(Ctx* ctx, xmlNode* datum) noexcept:
    cdef long long day, ref
    cdef int rd, rr
    if dagtekening(ctx) is NULL:
        return MAYBE
    rd, rr = ymd(datum, 0, &day), ymd(dagtekening(ctx), 10, &ref)
    if rd == UNSURE or rr == UNSURE:
        return MAYBE
    return rd == NONE or rr == NONE or day <= ref


cdef int s_cs058(Ctx* ctx, xmlNode* status) noexcept:
    return is_(status, b"1") == 1 or is_(status, b"3") == 1


cdef int s_tr018(Ctx* ctx, xmlNode* einde) noexcept:
    cdef long long start, until
    cdef int rs, ru
    cdef xmlNode* begin = child(einde.parent, b"Begindatum")
    if begin is NULL:
        return MAYBE
    rs, ru = ymd(begin, 0, &start), ymd(einde, 10, &until)
    if rs == UNSURE or ru == UNSURE:
        return MAYBE
    return rs == NONE or ru == NONE or start <= until


add("CS002", s_cs002)
add("CS139", s_cs139)
add("TR002", s_tr002)
add("TR134", s_tr134)
add("CS058", s_cs058)
add("TR018", s_tr018)
