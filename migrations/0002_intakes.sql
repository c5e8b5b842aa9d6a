-- Founder intakes, customer identity and idempotency.

CREATE TABLE intakes (
    id                        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    status                    text NOT NULL DEFAULT 'received' CHECK (status IN
                                  ('received','routing','pending_review','offered','engaged','unroutable','withdrawn','closed')),
    customer_domain           text NOT NULL CHECK (customer_domain ~ '^[a-z0-9.-]+\.[a-z0-9-]+$'),
    aws_account_id            text CHECK (aws_account_id ~ '^[0-9]{12}$'),
    company_name              text NOT NULL,
    website                   text NOT NULL,
    stage                     text NOT NULL CHECK (stage IN ('pre_seed','seed','series_a','series_b','series_c_plus')),
    last_round                jsonb,
    region                    text NOT NULL CHECK (region IN ('us_east','us_west','uk','eu','mena','india','apac','brazil')),
    vertical                  text NOT NULL CHECK (vertical IN ('fintech','healthtech','b2b_saas','ecommerce','deep_tech','gaming','other')),
    service_profile           text NOT NULL CHECK (service_profile IN ('compute_heavy','ai_heavy','data_heavy','edge_heavy')),
    engagement_type           text NOT NULL CHECK (engagement_type IN ('build','migrate')),
    team_size                 integer NOT NULL CHECK (team_size >= 1),
    projected_monthly_spend   jsonb NOT NULL,
    projected_monthly_usd     bigint NOT NULL CHECK (projected_monthly_usd > 0),
    use_case                  text NOT NULL,
    competing_cloud           text NOT NULL CHECK (competing_cloud IN ('none','gcp','azure','heroku','digitalocean','on_prem','other')),
    requested_funding_sources text[] NOT NULL CHECK (cardinality(requested_funding_sources) > 0
                                  AND requested_funding_sources <@ ARRAY['founders','portfolio','build_for_startups','bedrock_poc','map']),
    technical_contact         jsonb NOT NULL,
    business_contact          jsonb NOT NULL,
    access_token_hash         bytea NOT NULL UNIQUE CHECK (length(access_token_hash) = 32),
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now(),
    ended_at                  timestamptz
);
-- At most one open intake per customer (SPEC §3), by domain and by AWS account.
CREATE UNIQUE INDEX intakes_open_domain ON intakes (customer_domain)
    WHERE status NOT IN ('withdrawn','closed');
CREATE UNIQUE INDEX intakes_open_account ON intakes (aws_account_id)
    WHERE aws_account_id IS NOT NULL AND status NOT IN ('withdrawn','closed');
CREATE INDEX intakes_status_created ON intakes (status, created_at);

CREATE TABLE idempotency_keys (
    key             text PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 255),
    request_hash    bytea NOT NULL,
    response_status integer NOT NULL,
    response_body   bytea NOT NULL,
    intake_id       uuid REFERENCES intakes(id),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
