CREATE TYPE "public"."exam_delivery" AS ENUM('voice', 'text');--> statement-breakpoint
CREATE TYPE "public"."exam_phase" AS ENUM('instructions', 'preparation', 'speaking', 'done');--> statement-breakpoint
ALTER TABLE "exam_attempts" ADD COLUMN "delivery" "exam_delivery" DEFAULT 'text' NOT NULL;--> statement-breakpoint
ALTER TABLE "exam_attempts" ADD COLUMN "phase" "exam_phase" DEFAULT 'instructions' NOT NULL;--> statement-breakpoint
ALTER TABLE "exam_attempts" ADD COLUMN "conductor" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "exam_attempts_one_in_progress_unique" ON "exam_attempts" USING btree ("user_id") WHERE "exam_attempts"."status" = 'in_progress';