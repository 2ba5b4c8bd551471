-------------------------------------------------------------------------------
-- Types
-------------------------------------------------------------------------------
CREATE TYPE enroll.profile_level AS ENUM ('default', 'billing');
COMMENT ON TYPE enroll.profile_level IS
  'Ordered profile levels (S2.11): default < billing. A paid offer needs billing.';

CREATE TYPE enroll.context_level AS ENUM ('system', 'organization', 'course', 'group', 'user');
COMMENT ON TYPE enroll.context_level IS
  'Where a role assignment applies; system has no context_id, the others name a row.';

CREATE TYPE enroll.offer_visibility AS ENUM ('public', 'private');
COMMENT ON TYPE enroll.offer_visibility IS
  'public: seen by anyone, even anonymous (S2.6); private: only its addressees and admins (S2.7).';

CREATE TYPE enroll.holder_kind AS ENUM ('person', 'organization');
COMMENT ON TYPE enroll.holder_kind IS
  'Who an offer is for and who holds a license: a person (account) or an organization (S2.7, S2.8).';

CREATE TYPE enroll.acceptance_mode AS ENUM ('self', 'admin', 'org_admin', 'operator');
COMMENT ON TYPE enroll.acceptance_mode IS
  'How a license was accepted: by the learner, by a system admin on their behalf, by an organization admin, by a session operator (S1, S2.8).';

CREATE TYPE enroll.license_end_reason AS ENUM ('superseded', 'revoked', 'cancelled', 'removed', 'released');
COMMENT ON TYPE enroll.license_end_reason IS
  'Why a license ended early: superseded by a newer one for the same course (S2.23), revoked by an admin, its order cancelled, its holder removed from the order, or (a seat) released by the organization or ended when its holder left the organization.';

CREATE TYPE enroll.order_status AS ENUM ('completed', 'cancelled');
COMMENT ON TYPE enroll.order_status IS
  'State of a purchase order. Setup is all or nothing (S1.1), so a stored order is completed, until it is cancelled (enroll.cancel_order).';

CREATE TYPE enroll.join_policy AS ENUM ('open', 'approval');
COMMENT ON TYPE enroll.join_policy IS
  'Who adds members to an organization: open, the learner themself (S2.17); approval, only its administrators (S2.13: the organization delegates its learners).';

