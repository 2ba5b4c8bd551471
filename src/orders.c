/*-------------------------------------------------------------------------
 * orders.c
 *	  Purchase orders (S1.3, S1.4): what an order reference may be.  The
 *	  one check every function that takes an order reference makes
 *	  (setup_course_session, accept_offer's order_ref).
 *
 * An order reference keys the order's course group (S1.4) and is stored on
 * the licenses, enrollments and role assignments the order creates: 1 to
 * ENROLL_ORDER_REF_MAX bytes, not blank.  The CHECK constraints of the
 * tables say the same for a DBA writing rows by hand.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "pg_enroll.h"

/* 22023 unless order_ref is 1 to ENROLL_ORDER_REF_MAX bytes and not blank */
void
EnrollCheckOrderRef(const char *order_ref)
{
	size_t		len = strlen(order_ref);

	if (EnrollIsBlank(order_ref))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("order reference must not be empty or blank")));
	if (len > ENROLL_ORDER_REF_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("order reference is too long: %zu bytes", len),
				 errdetail("An order reference has at most %d bytes.", ENROLL_ORDER_REF_MAX)));
}
