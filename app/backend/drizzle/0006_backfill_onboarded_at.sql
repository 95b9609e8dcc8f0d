-- The web app now decides "onboarding finished" from users.onboarded_at. Learners who finished it
-- before the API recorded the time had saved a target level (only onboarding sets one): count them
-- as onboarded when they last changed their account, so nobody is sent through onboarding twice.
UPDATE "users" SET "onboarded_at" = "updated_at" WHERE "onboarded_at" IS NULL AND "target_level" IS NOT NULL;
