/*-------------------------------------------------------------------------
 * license_rules.c
 *	  enroll.license_rules(license): the fifteen row rules of enroll.license,
 *	  checked by one CHECK constraint (license_rules).
 *
 * Until 1.2 each rule was a CHECK constraint of its own.  PostgreSQL 15
 * parses and plans every CHECK expression of a table again for each
 * statement that writes it (ExecRelCheck keeps them per statement): the
 * fifteen expressions of enroll.license, 8.7 kB of node text, cost about
 * 55 us per statement -- 14 % of an acceptance, which writes the table
 * twice (scripts/bench, issue 15).  One function call costs a fraction of
 * that, and holds for every writer, a DBA's hand-written row included,
 * exactly as the constraints did.  The call takes the whole row: with the
 * seventeen columns as arguments its expression was still 2.3 kB of node
 * text to parse per statement; the row is one Var, and the columns are
 * found by name once per version of the row type.
 *
 * Each rule keeps its name and SQL meaning, three-valued logic included (a
 * rule whose SQL expression would be NULL holds), and is tested in the
 * order PostgreSQL tested the constraints (by name): the first broken rule
 * is reported as the check constraint it was (SQLSTATE 23514, constraint
 * name in the error's fields), with a DETAIL saying what the rule is.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_enum.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "pg_enroll.h"

/* the columns the rules read */
enum
{
	A_HOLDER_KIND,
	A_ACCOUNT_ID,
	A_ORGANIZATION_ID,
	A_REGISTRAR_ORG_ID,
	A_PRICE_PAID,
	A_CURRENCY,
	A_ACCESS_FROM,
	A_ACCESS_UNTIL,
	A_DOCUMENTS_DUE_AT,
	A_DOCUMENTS_VALIDATED_AT,
	A_SEATS,
	A_PARENT_LICENSE,
	A_ENDED_AT,
	A_END_REASON,
	A_END_NOTE,
	A_SUPERSEDED_BY,
	A_ORDER_REF,
	N_ARGS
};

/* enroll.license has 28 columns: room for later ones without an allocation */
#define LICENSE_COLUMNS_MAX 64

static const char *const column_names[N_ARGS] = {
	"holder_kind", "account_id", "organization_id", "registrar_org_id", "price_paid",
	"currency", "access_from", "access_until", "documents_due_at",
	"documents_validated_at", "seats", "parent_license", "ended_at", "end_reason",
	"end_note", "superseded_by", "order_ref"
};

/*
 * Where each column is in the row type, found by name for one version of
 * its tuple descriptor (the type cache gives each version its own
 * identifier: a column added or dropped makes a new one).
 */
static Oid	map_type = InvalidOid;
static uint64 map_version = 0;
static int	map_column[N_ARGS];

static void
MapColumns(const TypeCacheEntry *tce)
{
	TupleDesc	desc = tce->tupDesc;

	if (tce->type_id == map_type && tce->tupDesc_identifier == map_version)
		return;
	map_type = InvalidOid;
	for (int i = 0; i < N_ARGS; i++)
	{
		map_column[i] = -1;
		for (int a = 0; a < desc->natts; a++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, a);

			if (!att->attisdropped && strcmp(NameStr(att->attname), column_names[i]) == 0)
			{
				map_column[i] = a;
				break;
			}
		}
		if (map_column[i] < 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("enroll.license_rules takes a row of enroll.license"),
					 errdetail("The row has no column \"%s\".", column_names[i])));
	}
	map_type = tce->type_id;
	map_version = tce->tupDesc_identifier;
}

static pg_attribute_noreturn() void
Broken(const char *rule, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_CHECK_VIOLATION),
			 errmsg("new row for relation \"license\" violates check constraint \"%s\"", rule),
			 errdetail("%s", what),
			 err_generic_string(PG_DIAG_SCHEMA_NAME, "enroll"),
			 err_generic_string(PG_DIAG_TABLE_NAME, "license"),
			 err_generic_string(PG_DIAG_CONSTRAINT_NAME, rule)));
}

/*
 * Is an enum argument the value with this label?  1, 0, or -1 when the
 * argument is NULL.  The label is compared in the syscache entry (no copy):
 * the function runs for every row a statement writes.
 */
static int
EnumIs(Datum value, bool isnull, const char *label)
{
	HeapTuple	tup;
	bool		is;

	if (isnull)
		return -1;
	tup = SearchSysCache1(ENUMOID, value);
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for enum value %u", DatumGetObjectId(value));
	is = strcmp(NameStr(((Form_pg_enum) GETSTRUCT(tup))->enumlabel), label) == 0;
	ReleaseSysCache(tup);
	return is ? 1 : 0;
}

/* numeric 0, made once per backend */
static Numeric
Zero(void)
{
	static Numeric zero = NULL;

	if (zero == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		zero = int64_to_numeric(0);
		MemoryContextSwitchTo(old);
	}
	return zero;
}

/* a AND b in SQL's three-valued logic: 1 true, 0 false, -1 unknown (NULL) */
static int
TriAnd(int a, int b)
{
	if (a == 0 || b == 0)
		return 0;
	return (a == 1 && b == 1) ? 1 : -1;
}

PG_FUNCTION_INFO_V1(license_rules);
Datum
license_rules(PG_FUNCTION_ARGS)
{
	HeapTupleHeader row;
	TypeCacheEntry *tce;
	TupleDesc	desc;
	HeapTupleData tuple;
	Datum		row_values[LICENSE_COLUMNS_MAX];
	bool		row_nulls[LICENSE_COLUMNS_MAX];
	Datum	   *all_values = row_values;
	bool	   *all_nulls = row_nulls;
	Datum		value[N_ARGS];
	bool		is_null[N_ARGS];
	int			person;
	int			organization;
	int			superseded;

	/* a declaration of the function from before it took the row */
	if (PG_NARGS() != 1)
		elog(ERROR, "enroll.license_rules takes one row of enroll.license");
	if (PG_ARGISNULL(0))
		PG_RETURN_BOOL(true);	/* no row, no rule broken */
	row = PG_GETARG_HEAPTUPLEHEADER(0);
	/* one type cache lookup: the descriptor and its version */
	tce = lookup_type_cache(HeapTupleHeaderGetTypeId(row), TYPECACHE_TUPDESC);
	if (tce->tupDesc == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("enroll.license_rules takes a row of enroll.license")));
	desc = tce->tupDesc;
	PinTupleDesc(desc);
	if (desc->natts > LICENSE_COLUMNS_MAX)
	{
		all_values = palloc(sizeof(Datum) * desc->natts);
		all_nulls = palloc(sizeof(bool) * desc->natts);
	}
	tuple.t_len = HeapTupleHeaderGetDatumLength(row);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = row;
	heap_deform_tuple(&tuple, desc, all_values, all_nulls);
	MapColumns(tce);
	ReleaseTupleDesc(desc);
	for (int i = 0; i < N_ARGS; i++)
	{
		value[i] = all_values[map_column[i]];
		is_null[i] = all_nulls[map_column[i]];
	}
	person = EnumIs(value[A_HOLDER_KIND], is_null[A_HOLDER_KIND], "person");
	organization = EnumIs(value[A_HOLDER_KIND], is_null[A_HOLDER_KIND], "organization");
	superseded = EnumIs(value[A_END_REASON], is_null[A_END_REASON], "superseded");

	/* license_access_window: access_until > access_from */
	if (!is_null[A_ACCESS_FROM] && !is_null[A_ACCESS_UNTIL] &&
		!(DatumGetTimestampTz(value[A_ACCESS_UNTIL]) > DatumGetTimestampTz(value[A_ACCESS_FROM])))
		Broken("license_access_window", "A license's access ends after it begins.");

	/* license_currency_iso4217: currency ~ '^[A-Z]{3}$' */
	if (!is_null[A_CURRENCY])
	{
		text	   *c = DatumGetTextPP(value[A_CURRENCY]);
		const char *p = VARDATA_ANY(c);

		if (VARSIZE_ANY_EXHDR(c) != 3 ||
			p[0] < 'A' || p[0] > 'Z' || p[1] < 'A' || p[1] > 'Z' || p[2] < 'A' || p[2] > 'Z')
			Broken("license_currency_iso4217", "The currency is an ISO 4217 code: three capital letters.");
	}

	/* license_end_has_reason: (ended_at IS NULL) = (end_reason IS NULL) */
	if (is_null[A_ENDED_AT] != is_null[A_END_REASON])
		Broken("license_end_has_reason", "A license has an end reason exactly when it has ended.");

	/* license_end_note_length: length(end_note) <= 2000 */
	if (!is_null[A_END_NOTE])
	{
		text	   *n = DatumGetTextPP(value[A_END_NOTE]);

		if (pg_mbstrlen_with_len(VARDATA_ANY(n), VARSIZE_ANY_EXHDR(n)) > 2000)
			Broken("license_end_note_length", "An end note has at most 2000 characters.");
	}

	/*
	 * license_one_holder: (kind = person AND account_id IS NOT NULL AND
	 * organization_id IS NULL) OR (kind = organization AND organization_id
	 * IS NOT NULL AND account_id IS NULL)
	 */
	if (TriAnd(person, !is_null[A_ACCOUNT_ID] && is_null[A_ORGANIZATION_ID]) == 0 &&
		TriAnd(organization, !is_null[A_ORGANIZATION_ID] && is_null[A_ACCOUNT_ID]) == 0)
		Broken("license_one_holder",
			   "A license is held by a person (account_id) or by an organization (organization_id), as holder_kind says.");

	/* license_order_ref_length: octet_length(order_ref) <= 200 */
	if (!is_null[A_ORDER_REF] && VARSIZE_ANY_EXHDR(DatumGetTextPP(value[A_ORDER_REF])) > 200)
		Broken("license_order_ref_length", "An order reference has at most 200 bytes.");

	if (!is_null[A_PRICE_PAID])
	{
		Numeric		price = DatumGetNumeric(value[A_PRICE_PAID]);

		/* license_price_not_nan: price_paid <> 'NaN' */
		if (numeric_is_nan(price))
			Broken("license_price_not_nan", "The price paid is a number.");
		/* license_price_not_negative: price_paid >= 0 */
		if (!DatumGetBool(DirectFunctionCall2(numeric_ge, NumericGetDatum(price), NumericGetDatum(Zero()))))
			Broken("license_price_not_negative", "The price paid is not negative.");
	}

	/* license_registrar_not_holder: registrar_org_id <> organization_id */
	if (!is_null[A_REGISTRAR_ORG_ID] && !is_null[A_ORGANIZATION_ID] &&
		DatumGetInt64(value[A_REGISTRAR_ORG_ID]) == DatumGetInt64(value[A_ORGANIZATION_ID]))
		Broken("license_registrar_not_holder", "An organization is not the registrar of its own license (S2.15).");

	/* license_seat_held_by_person: parent_license IS NULL OR kind = person */
	if (!is_null[A_PARENT_LICENSE] && person == 0)
		Broken("license_seat_held_by_person", "A seat of an organization license is held by a person.");

	if (!is_null[A_SEATS])
	{
		int32		seats = DatumGetInt32(value[A_SEATS]);

		/* license_seats_bounded: seats <= 100000 */
		if (seats > 100000)
			Broken("license_seats_bounded", "An organization license has at most 100,000 seats.");
	}

	/* license_seats_for_organizations: (kind = organization) = (seats IS NOT NULL) */
	if (organization >= 0 && (organization == 1) != !is_null[A_SEATS])
		Broken("license_seats_for_organizations", "A license has seats exactly when an organization holds it.");

	/* license_seats_positive: seats > 0 */
	if (!is_null[A_SEATS] && DatumGetInt32(value[A_SEATS]) <= 0)
		Broken("license_seats_positive", "An organization license has at least one seat.");

	/* license_superseded_has_successor: (end_reason = superseded) = (superseded_by IS NOT NULL) */
	if (superseded >= 0 && (superseded == 1) != !is_null[A_SUPERSEDED_BY])
		Broken("license_superseded_has_successor", "A license ended as superseded names its successor, and only then.");

	/* license_validation_has_due: documents_validated_at IS NULL OR documents_due_at IS NOT NULL */
	if (!is_null[A_DOCUMENTS_VALIDATED_AT] && is_null[A_DOCUMENTS_DUE_AT])
		Broken("license_validation_has_due", "Documents are validated only on a license that asks for them.");

	PG_RETURN_BOOL(true);
}
