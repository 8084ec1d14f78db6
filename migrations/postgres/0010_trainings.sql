-- Trainings (DOMAIN.md §6, API.md "Places, network, training"): the same
-- tables as migrations/sqlite/0010_trainings.sql, which says what each
-- column holds.
CREATE TABLE training (
    id                    text COLLATE "C" PRIMARY KEY,
    organization_id       text COLLATE "C" NOT NULL REFERENCES organization (id),
    group_id              text COLLATE "C" REFERENCES network_group (id),
    date                  text COLLATE "C" NOT NULL,
    location_code         text COLLATE "C" NOT NULL REFERENCES location (code),
    audience              text COLLATE "C" NOT NULL,
    facilitator_member_id text COLLATE "C" REFERENCES member (id),
    facilitator_user_id   text COLLATE "C" REFERENCES users (id),
    facilitator_outside   bytea,
    facilitator_trainer   integer NOT NULL DEFAULT 0 CHECK (facilitator_trainer IN (0, 1)),
    recorded_by           text COLLATE "C" REFERENCES users (id),
    created_at            text COLLATE "C" NOT NULL,
    updated_at            text COLLATE "C" NOT NULL,
    version               bigint NOT NULL DEFAULT 1 CHECK (version >= 1),
    CONSTRAINT training_one_facilitator CHECK (
        (facilitator_member_id IS NOT NULL)::integer + (facilitator_user_id IS NOT NULL)::integer
        + (facilitator_outside IS NOT NULL)::integer = 1),
    CONSTRAINT training_trainer_is_member
        CHECK (facilitator_trainer = 0 OR facilitator_member_id IS NOT NULL)
);
CREATE INDEX training_org_date ON training (organization_id, date, created_at, id);
CREATE INDEX training_group_date ON training (group_id, date, created_at, id);
CREATE INDEX training_facilitator ON training (facilitator_member_id)
    WHERE facilitator_member_id IS NOT NULL;

CREATE TABLE training_topic (
    training_id text COLLATE "C" NOT NULL REFERENCES training (id),
    topic       text COLLATE "C" NOT NULL,
    PRIMARY KEY (training_id, topic)
);

CREATE TABLE training_participant (
    training_id text COLLATE "C" NOT NULL REFERENCES training (id),
    idx         integer NOT NULL CHECK (idx BETWEEN 0 AND 999),
    member_id   text COLLATE "C" REFERENCES member (id),
    outside     bytea,
    sex         text COLLATE "C" NOT NULL,
    pre         integer CHECK (pre BETWEEN 0 AND 100),
    post        integer CHECK (post BETWEEN 0 AND 100),
    PRIMARY KEY (training_id, idx),
    CONSTRAINT participant_one_kind
        CHECK ((member_id IS NOT NULL)::integer + (outside IS NOT NULL)::integer = 1),
    CONSTRAINT participant_scores_paired CHECK ((pre IS NULL) = (post IS NULL))
);
CREATE UNIQUE INDEX participant_member ON training_participant (member_id, training_id)
    WHERE member_id IS NOT NULL;
