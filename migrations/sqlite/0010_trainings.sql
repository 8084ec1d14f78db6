-- Trainings (DOMAIN.md §6, API.md "Places, network, training"): a training
-- the NGO gives its members, local authorities or police, or a member gives
-- others. The facilitator is a member, a staff user or an outside trainer
-- (whose name and organization are one sealed JSON blob, bound to the
-- training id). facilitator_trainer holds whether the facilitating member
-- had the trainer network role when it was recorded: with the audience
-- representatives that makes a cascade training. organization_id is the
-- organization it belongs to (for who lists what): the group's, or the
-- recorder's when it names no group. Topics are rows of training_topic, so
-- the reports can count who was trained on what.
CREATE TABLE training (
    id                    TEXT PRIMARY KEY,
    organization_id       TEXT NOT NULL REFERENCES organization (id),
    group_id              TEXT REFERENCES network_group (id),
    date                  TEXT NOT NULL,
    location_code         TEXT NOT NULL REFERENCES location (code),
    audience              TEXT NOT NULL,
    facilitator_member_id TEXT REFERENCES member (id),
    facilitator_user_id   TEXT REFERENCES users (id),
    facilitator_outside   BLOB,
    facilitator_trainer   INTEGER NOT NULL DEFAULT 0 CHECK (facilitator_trainer IN (0, 1)),
    recorded_by           TEXT REFERENCES users (id),
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    version               INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    CONSTRAINT training_one_facilitator CHECK (
        (facilitator_member_id IS NOT NULL) + (facilitator_user_id IS NOT NULL)
        + (facilitator_outside IS NOT NULL) = 1),
    CONSTRAINT training_trainer_is_member
        CHECK (facilitator_trainer = 0 OR facilitator_member_id IS NOT NULL)
);
CREATE INDEX training_org_date ON training (organization_id, date, created_at, id);
CREATE INDEX training_group_date ON training (group_id, date, created_at, id);
CREATE INDEX training_facilitator ON training (facilitator_member_id)
    WHERE facilitator_member_id IS NOT NULL;

CREATE TABLE training_topic (
    training_id TEXT NOT NULL REFERENCES training (id),
    topic       TEXT NOT NULL,
    PRIMARY KEY (training_id, topic)
);

-- Who attended, in the order given (idx from 0, what scores name). A member
-- of the network, or an outside person (a police officer, a commune
-- councillor) whose name and organization are one sealed JSON blob bound to
-- the training id and idx. sex is kept plain for the reports (a member's as
-- her record had it). pre and post are the test scores, 0 to 100, or NULL.
CREATE TABLE training_participant (
    training_id TEXT NOT NULL REFERENCES training (id),
    idx         INTEGER NOT NULL CHECK (idx BETWEEN 0 AND 999),
    member_id   TEXT REFERENCES member (id),
    outside     BLOB,
    sex         TEXT NOT NULL,
    pre         INTEGER CHECK (pre BETWEEN 0 AND 100),
    post        INTEGER CHECK (post BETWEEN 0 AND 100),
    PRIMARY KEY (training_id, idx),
    CONSTRAINT participant_one_kind CHECK ((member_id IS NOT NULL) + (outside IS NOT NULL) = 1),
    CONSTRAINT participant_scores_paired CHECK ((pre IS NULL) = (post IS NULL))
);
CREATE UNIQUE INDEX participant_member ON training_participant (member_id, training_id)
    WHERE member_id IS NOT NULL;
