CREATE TYPE "public"."cefr_level" AS ENUM('A1', 'A2', 'B1', 'B2');--> statement-breakpoint
CREATE TYPE "public"."document_kind" AS ENUM('document', 'image');--> statement-breakpoint
CREATE TYPE "public"."document_scope" AS ENUM('instructor', 'learner');--> statement-breakpoint
CREATE TYPE "public"."document_status" AS ENUM('uploaded', 'processing', 'ready', 'failed');--> statement-breakpoint
CREATE TYPE "public"."exam_attempt_status" AS ENUM('in_progress', 'scoring', 'completed', 'abandoned');--> statement-breakpoint
CREATE TYPE "public"."exam_level" AS ENUM('A1-A2', 'A2-B1', 'B1-B2');--> statement-breakpoint
CREATE TYPE "public"."exam_task_type" AS ENUM('warm_up', 'self_presentation', 'picture_description', 'conversation', 'monologue', 'opinion', 'exchange_views', 'argue_statement', 'role_play');--> statement-breakpoint
CREATE TYPE "public"."lesson_progress_status" AS ENUM('not_started', 'in_progress', 'completed');--> statement-breakpoint
CREATE TYPE "public"."lesson_source" AS ENUM('pack', 'instructor', 'learner');--> statement-breakpoint
CREATE TYPE "public"."lesson_status" AS ENUM('draft', 'published', 'archived');--> statement-breakpoint
CREATE TYPE "public"."lesson_type" AS ENUM('lesson', 'scenario', 'exam_part');--> statement-breakpoint
CREATE TYPE "public"."locale" AS ENUM('en', 'nb');--> statement-breakpoint
CREATE TYPE "public"."payment_event_status" AS ENUM('received', 'processed', 'failed', 'ignored');--> statement-breakpoint
CREATE TYPE "public"."payment_provider" AS ENUM('stripe', 'none');--> statement-breakpoint
CREATE TYPE "public"."program_role" AS ENUM('instructor', 'learner');--> statement-breakpoint
CREATE TYPE "public"."progress_period" AS ENUM('day', 'week', 'month');--> statement-breakpoint
CREATE TYPE "public"."scenario_kind" AS ENUM('self_presentation', 'picture_description', 'conversation', 'monologue', 'opinion_exchange', 'argue_statement', 'role_play');--> statement-breakpoint
CREATE TYPE "public"."score_rater" AS ENUM('measured', 'llm', 'audio');--> statement-breakpoint
CREATE TYPE "public"."scoring_criterion" AS ENUM('task_completion', 'fluency', 'pronunciation', 'vocabulary', 'grammar', 'coherence', 'interaction', 'overall');--> statement-breakpoint
CREATE TYPE "public"."session_mode" AS ENUM('free', 'lesson', 'exam');--> statement-breakpoint
CREATE TYPE "public"."sitting_end_reason" AS ENUM('disconnect', 'idle', 'user', 'exam_finished', 'error');--> statement-breakpoint
CREATE TYPE "public"."sitting_transport" AS ENUM('websocket', 'livekit', 'text');--> statement-breakpoint
CREATE TYPE "public"."skill" AS ENUM('reception', 'production', 'interaction', 'mediation');--> statement-breakpoint
CREATE TYPE "public"."subscription_plan" AS ENUM('free', 'pro', 'institution');--> statement-breakpoint
CREATE TYPE "public"."subscription_status" AS ENUM('active', 'trialing', 'past_due', 'canceled', 'incomplete');--> statement-breakpoint
CREATE TYPE "public"."summary_status" AS ENUM('pending', 'ready', 'failed', 'unavailable');--> statement-breakpoint
CREATE TYPE "public"."task_mode" AS ENUM('individual', 'pair');--> statement-breakpoint
CREATE TYPE "public"."turn_role" AS ENUM('learner', 'tutor', 'partner', 'examiner');--> statement-breakpoint
CREATE TYPE "public"."user_role" AS ENUM('learner', 'instructor', 'admin');--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"email" text NOT NULL,
	"email_verified" boolean DEFAULT false NOT NULL,
	"image" text,
	"role" "user_role" DEFAULT 'learner' NOT NULL,
	"banned" boolean DEFAULT false,
	"ban_reason" text,
	"ban_expires" timestamp with time zone,
	"locale" "locale" DEFAULT 'en' NOT NULL,
	"native_language" text,
	"time_zone" text DEFAULT 'Europe/Oslo' NOT NULL,
	"target_level" "cefr_level",
	"exam_goal" "exam_level",
	"exam_date" date,
	"onboarded_at" timestamp with time zone,
	"preferences" jsonb DEFAULT '{"greetingVerbosity":"normal","correctionStyle":"end_of_turn","explanationLanguage":"en","tutorVoice":null,"transcriptRetentionDays":null,"keepAudio":false}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE "document_chunks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"document_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"page_number" integer,
	"heading" text,
	"content" text NOT NULL,
	"token_count" integer,
	"embedding" vector(768),
	"embedding_model" text,
	"tsv" "tsvector" GENERATED ALWAYS AS (to_tsvector('avaaz_nb'::regconfig, coalesce("heading", '') || ' ' || "content")) STORED,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "document_chunks_document_position_unique" UNIQUE("document_id","position")
);
--> statement-breakpoint
CREATE TABLE "upload_documents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"owner_id" text NOT NULL,
	"kind" "document_kind" NOT NULL,
	"scope" "document_scope" NOT NULL,
	"original_filename" text NOT NULL,
	"storage_key" text NOT NULL,
	"mime_type" text NOT NULL,
	"size_bytes" bigint NOT NULL,
	"sha256" text NOT NULL,
	"status" "document_status" DEFAULT 'uploaded' NOT NULL,
	"error" text,
	"page_count" integer,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"processed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "upload_documents_storage_key_unique" UNIQUE("storage_key")
);
--> statement-breakpoint
CREATE TABLE "curriculum_objectives" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"level" "cefr_level" NOT NULL,
	"skill" "skill" NOT NULL,
	"descriptor_en" text NOT NULL,
	"descriptor_nb" text NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"published" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "curriculum_objectives_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "lesson_documents" (
	"lesson_id" uuid NOT NULL,
	"document_id" uuid NOT NULL,
	"purpose" text DEFAULT 'source' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lesson_documents_pk" PRIMARY KEY("lesson_id","document_id")
);
--> statement-breakpoint
CREATE TABLE "lesson_objectives" (
	"lesson_id" uuid NOT NULL,
	"objective_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lesson_objectives_pk" PRIMARY KEY("lesson_id","objective_id")
);
--> statement-breakpoint
CREATE TABLE "lessons" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text,
	"level" "cefr_level" NOT NULL,
	"type" "lesson_type" DEFAULT 'lesson' NOT NULL,
	"status" "lesson_status" DEFAULT 'draft' NOT NULL,
	"source" "lesson_source" NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"topic" text,
	"context" text,
	"estimated_minutes" integer,
	"exam_tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"goals" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"vocabulary" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"phrases" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"owner_id" text,
	"published_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lessons_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "scenario_steps" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"scenario_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"tutor_prompt" text NOT NULL,
	"expected_learner_move" text,
	"hints" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"follow_up_questions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"preparation_seconds" integer DEFAULT 0 NOT NULL,
	"speaking_seconds" integer,
	"mode" "task_mode" DEFAULT 'individual' NOT NULL,
	"picture_slug" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "scenario_steps_scenario_position_unique" UNIQUE("scenario_id","position")
);
--> statement-breakpoint
CREATE TABLE "scenarios" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"lesson_id" uuid NOT NULL,
	"slug" text,
	"position" integer DEFAULT 0 NOT NULL,
	"kind" "scenario_kind" NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"mode" "task_mode" DEFAULT 'individual' NOT NULL,
	"level" "cefr_level" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "scenarios_lesson_slug_unique" UNIQUE("lesson_id","slug")
);
--> statement-breakpoint
CREATE TABLE "exam_attempts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" text NOT NULL,
	"template_id" uuid NOT NULL,
	"level" "exam_level" NOT NULL,
	"status" "exam_attempt_status" DEFAULT 'in_progress' NOT NULL,
	"current_part_position" integer,
	"part_started_at" timestamp with time zone,
	"part_deadline_at" timestamp with time zone,
	"preparation_deadline_at" timestamp with time zone,
	"co_candidate_level" "cefr_level",
	"selected_prompts" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"extra_question_asked" boolean DEFAULT false NOT NULL,
	"tutor_session_id" uuid,
	"sitting_id" uuid,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"estimated_level" text,
	"result" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "exam_attempts_estimated_level_check" CHECK ("exam_attempts"."estimated_level" in ('below_A1', 'A1', 'A2', 'B1', 'B2'))
);
--> statement-breakpoint
CREATE TABLE "exam_parts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"template_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"slug" text NOT NULL,
	"title" text NOT NULL,
	"task_type" "exam_task_type" NOT NULL,
	"mode" "task_mode" DEFAULT 'individual' NOT NULL,
	"scored" boolean DEFAULT true NOT NULL,
	"preparation_seconds" integer DEFAULT 0 NOT NULL,
	"speaking_seconds" integer NOT NULL,
	"instructions_en" text NOT NULL,
	"instructions_nb" text NOT NULL,
	"examiner_script" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"prompt_bank" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"follow_up_questions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"extra_question" jsonb,
	"criteria" "scoring_criterion"[] DEFAULT '{}'::scoring_criterion[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "exam_parts_template_position_unique" UNIQUE("template_id","position"),
	CONSTRAINT "exam_parts_template_slug_unique" UNIQUE("template_id","slug")
);
--> statement-breakpoint
CREATE TABLE "exam_scores" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"attempt_id" uuid NOT NULL,
	"exam_part_id" uuid,
	"criterion" "scoring_criterion" NOT NULL,
	"assessable" boolean DEFAULT true NOT NULL,
	"band" text,
	"score" numeric(4, 2),
	"evidence" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"rater" "score_rater" NOT NULL,
	"feedback" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "exam_scores_attempt_part_criterion_unique" UNIQUE NULLS NOT DISTINCT("attempt_id","exam_part_id","criterion"),
	CONSTRAINT "exam_scores_band_check" CHECK ("exam_scores"."band" in ('below_A1', 'A1', 'A2', 'B1', 'B2'))
);
--> statement-breakpoint
CREATE TABLE "exam_templates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"level" "exam_level" NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"total_minutes" integer NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"published" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "exam_templates_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "sittings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tutor_session_id" uuid NOT NULL,
	"user_id" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone,
	"end_reason" "sitting_end_reason",
	"transport" "sitting_transport" NOT NULL,
	"mode" "session_mode" DEFAULT 'free' NOT NULL,
	"lesson_id" uuid,
	"exam_attempt_id" uuid,
	"summary" jsonb,
	"summary_status" "summary_status" DEFAULT 'pending' NOT NULL,
	"metrics" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "turns" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tutor_session_id" uuid NOT NULL,
	"sitting_id" uuid NOT NULL,
	"user_id" text NOT NULL,
	"exam_attempt_id" uuid,
	"exam_part_id" uuid,
	"sequence" integer NOT NULL,
	"role" "turn_role" NOT NULL,
	"text" text NOT NULL,
	"is_final" boolean DEFAULT true NOT NULL,
	"started_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"speaking_ms" integer,
	"word_timings" jsonb,
	"audio_ref" text,
	"cefr_metadata" jsonb,
	"corrections" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"latency_ms" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "turns_sitting_sequence_unique" UNIQUE("sitting_id","sequence")
);
--> statement-breakpoint
CREATE TABLE "tutor_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" text NOT NULL,
	"mode" "session_mode" DEFAULT 'free' NOT NULL,
	"current_lesson_id" uuid,
	"current_step_position" integer,
	"current_exam_attempt_id" uuid,
	"state" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"rolling_summary" text,
	"summary_updated_at" timestamp with time zone,
	"last_activity_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tutor_sessions_user_unique" UNIQUE("user_id")
);
--> statement-breakpoint
CREATE TABLE "lesson_progress" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" text NOT NULL,
	"lesson_id" uuid NOT NULL,
	"status" "lesson_progress_status" DEFAULT 'not_started' NOT NULL,
	"current_step_position" integer,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"last_activity_at" timestamp with time zone,
	"completed_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lesson_progress_user_lesson_unique" UNIQUE("user_id","lesson_id")
);
--> statement-breakpoint
CREATE TABLE "progress_snapshots" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" text NOT NULL,
	"period" "progress_period" NOT NULL,
	"period_start" date NOT NULL,
	"minutes_spoken" numeric(10, 2) DEFAULT 0 NOT NULL,
	"sittings" integer DEFAULT 0 NOT NULL,
	"turns" integer DEFAULT 0 NOT NULL,
	"words" integer DEFAULT 0 NOT NULL,
	"streak_days" integer DEFAULT 0 NOT NULL,
	"skill_trend" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"cefr_estimates" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "progress_snapshots_user_period_start_unique" UNIQUE("user_id","period","period_start")
);
--> statement-breakpoint
CREATE TABLE "program_assignments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"program_id" uuid NOT NULL,
	"lesson_id" uuid NOT NULL,
	"assigned_by" text,
	"note" text,
	"due_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "program_memberships" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"program_id" uuid NOT NULL,
	"user_id" text NOT NULL,
	"role" "program_role" DEFAULT 'learner' NOT NULL,
	"joined_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "program_memberships_program_user_unique" UNIQUE("program_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "programs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"owner_id" text NOT NULL,
	"join_code" text,
	"archived_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "programs_join_code_unique" UNIQUE("join_code")
);
--> statement-breakpoint
CREATE TABLE "payment_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"provider" "payment_provider" NOT NULL,
	"provider_event_id" text NOT NULL,
	"type" text NOT NULL,
	"user_id" text,
	"payload" jsonb NOT NULL,
	"status" "payment_event_status" DEFAULT 'received' NOT NULL,
	"error" text,
	"processed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payment_events_provider_event_unique" UNIQUE("provider","provider_event_id")
);
--> statement-breakpoint
CREATE TABLE "subscriptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" text NOT NULL,
	"plan" "subscription_plan" DEFAULT 'free' NOT NULL,
	"status" "subscription_status" DEFAULT 'active' NOT NULL,
	"provider" "payment_provider" DEFAULT 'none' NOT NULL,
	"provider_customer_id" text,
	"provider_subscription_id" text,
	"current_period_start" timestamp with time zone,
	"current_period_end" timestamp with time zone,
	"cancel_at_period_end" boolean DEFAULT false NOT NULL,
	"canceled_at" timestamp with time zone,
	"seats" integer DEFAULT 1 NOT NULL,
	"program_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "subscriptions_provider_subscription_unique" UNIQUE("provider_subscription_id")
);
--> statement-breakpoint
ALTER TABLE "document_chunks" ADD CONSTRAINT "document_chunks_document_id_upload_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."upload_documents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "upload_documents" ADD CONSTRAINT "upload_documents_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lesson_documents" ADD CONSTRAINT "lesson_documents_lesson_id_lessons_id_fk" FOREIGN KEY ("lesson_id") REFERENCES "public"."lessons"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lesson_documents" ADD CONSTRAINT "lesson_documents_document_id_upload_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."upload_documents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lesson_objectives" ADD CONSTRAINT "lesson_objectives_lesson_id_lessons_id_fk" FOREIGN KEY ("lesson_id") REFERENCES "public"."lessons"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lesson_objectives" ADD CONSTRAINT "lesson_objectives_objective_id_curriculum_objectives_id_fk" FOREIGN KEY ("objective_id") REFERENCES "public"."curriculum_objectives"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lessons" ADD CONSTRAINT "lessons_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scenario_steps" ADD CONSTRAINT "scenario_steps_scenario_id_scenarios_id_fk" FOREIGN KEY ("scenario_id") REFERENCES "public"."scenarios"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scenarios" ADD CONSTRAINT "scenarios_lesson_id_lessons_id_fk" FOREIGN KEY ("lesson_id") REFERENCES "public"."lessons"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exam_attempts" ADD CONSTRAINT "exam_attempts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exam_attempts" ADD CONSTRAINT "exam_attempts_template_id_exam_templates_id_fk" FOREIGN KEY ("template_id") REFERENCES "public"."exam_templates"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exam_attempts" ADD CONSTRAINT "exam_attempts_tutor_session_id_tutor_sessions_id_fk" FOREIGN KEY ("tutor_session_id") REFERENCES "public"."tutor_sessions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exam_attempts" ADD CONSTRAINT "exam_attempts_sitting_id_sittings_id_fk" FOREIGN KEY ("sitting_id") REFERENCES "public"."sittings"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exam_parts" ADD CONSTRAINT "exam_parts_template_id_exam_templates_id_fk" FOREIGN KEY ("template_id") REFERENCES "public"."exam_templates"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exam_scores" ADD CONSTRAINT "exam_scores_attempt_id_exam_attempts_id_fk" FOREIGN KEY ("attempt_id") REFERENCES "public"."exam_attempts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exam_scores" ADD CONSTRAINT "exam_scores_exam_part_id_exam_parts_id_fk" FOREIGN KEY ("exam_part_id") REFERENCES "public"."exam_parts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sittings" ADD CONSTRAINT "sittings_tutor_session_id_tutor_sessions_id_fk" FOREIGN KEY ("tutor_session_id") REFERENCES "public"."tutor_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sittings" ADD CONSTRAINT "sittings_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sittings" ADD CONSTRAINT "sittings_lesson_id_lessons_id_fk" FOREIGN KEY ("lesson_id") REFERENCES "public"."lessons"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sittings" ADD CONSTRAINT "sittings_exam_attempt_id_exam_attempts_id_fk" FOREIGN KEY ("exam_attempt_id") REFERENCES "public"."exam_attempts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "turns" ADD CONSTRAINT "turns_tutor_session_id_tutor_sessions_id_fk" FOREIGN KEY ("tutor_session_id") REFERENCES "public"."tutor_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "turns" ADD CONSTRAINT "turns_sitting_id_sittings_id_fk" FOREIGN KEY ("sitting_id") REFERENCES "public"."sittings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "turns" ADD CONSTRAINT "turns_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "turns" ADD CONSTRAINT "turns_exam_attempt_id_exam_attempts_id_fk" FOREIGN KEY ("exam_attempt_id") REFERENCES "public"."exam_attempts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "turns" ADD CONSTRAINT "turns_exam_part_id_exam_parts_id_fk" FOREIGN KEY ("exam_part_id") REFERENCES "public"."exam_parts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tutor_sessions" ADD CONSTRAINT "tutor_sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tutor_sessions" ADD CONSTRAINT "tutor_sessions_current_lesson_id_lessons_id_fk" FOREIGN KEY ("current_lesson_id") REFERENCES "public"."lessons"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tutor_sessions" ADD CONSTRAINT "tutor_sessions_current_exam_attempt_id_exam_attempts_id_fk" FOREIGN KEY ("current_exam_attempt_id") REFERENCES "public"."exam_attempts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lesson_progress" ADD CONSTRAINT "lesson_progress_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lesson_progress" ADD CONSTRAINT "lesson_progress_lesson_id_lessons_id_fk" FOREIGN KEY ("lesson_id") REFERENCES "public"."lessons"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "progress_snapshots" ADD CONSTRAINT "progress_snapshots_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "program_assignments" ADD CONSTRAINT "program_assignments_program_id_programs_id_fk" FOREIGN KEY ("program_id") REFERENCES "public"."programs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "program_assignments" ADD CONSTRAINT "program_assignments_lesson_id_lessons_id_fk" FOREIGN KEY ("lesson_id") REFERENCES "public"."lessons"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "program_assignments" ADD CONSTRAINT "program_assignments_assigned_by_users_id_fk" FOREIGN KEY ("assigned_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "program_memberships" ADD CONSTRAINT "program_memberships_program_id_programs_id_fk" FOREIGN KEY ("program_id") REFERENCES "public"."programs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "program_memberships" ADD CONSTRAINT "program_memberships_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "programs" ADD CONSTRAINT "programs_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_events" ADD CONSTRAINT "payment_events_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_program_id_programs_id_fk" FOREIGN KEY ("program_id") REFERENCES "public"."programs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "document_chunks_embedding_hnsw_idx" ON "document_chunks" USING hnsw ("embedding" vector_cosine_ops);--> statement-breakpoint
CREATE INDEX "document_chunks_tsv_gin_idx" ON "document_chunks" USING gin ("tsv");--> statement-breakpoint
CREATE INDEX "upload_documents_owner_created_idx" ON "upload_documents" USING btree ("owner_id","created_at");--> statement-breakpoint
CREATE INDEX "upload_documents_owner_sha256_idx" ON "upload_documents" USING btree ("owner_id","sha256");--> statement-breakpoint
CREATE INDEX "curriculum_objectives_level_skill_position_idx" ON "curriculum_objectives" USING btree ("level","skill","position");--> statement-breakpoint
CREATE INDEX "lesson_documents_document_idx" ON "lesson_documents" USING btree ("document_id");--> statement-breakpoint
CREATE INDEX "lesson_objectives_objective_idx" ON "lesson_objectives" USING btree ("objective_id");--> statement-breakpoint
CREATE INDEX "lessons_level_status_position_idx" ON "lessons" USING btree ("level","status","position");--> statement-breakpoint
CREATE INDEX "lessons_topic_idx" ON "lessons" USING btree ("topic");--> statement-breakpoint
CREATE INDEX "lessons_exam_tags_gin_idx" ON "lessons" USING gin ("exam_tags");--> statement-breakpoint
CREATE INDEX "lessons_owner_created_idx" ON "lessons" USING btree ("owner_id","created_at");--> statement-breakpoint
CREATE INDEX "scenarios_lesson_position_idx" ON "scenarios" USING btree ("lesson_id","position");--> statement-breakpoint
CREATE INDEX "scenarios_kind_level_idx" ON "scenarios" USING btree ("kind","level");--> statement-breakpoint
CREATE INDEX "exam_attempts_user_started_idx" ON "exam_attempts" USING btree ("user_id","started_at");--> statement-breakpoint
CREATE INDEX "exam_attempts_template_idx" ON "exam_attempts" USING btree ("template_id");--> statement-breakpoint
CREATE INDEX "exam_attempts_tutor_session_idx" ON "exam_attempts" USING btree ("tutor_session_id");--> statement-breakpoint
CREATE INDEX "exam_attempts_sitting_idx" ON "exam_attempts" USING btree ("sitting_id");--> statement-breakpoint
CREATE INDEX "exam_scores_exam_part_idx" ON "exam_scores" USING btree ("exam_part_id");--> statement-breakpoint
CREATE INDEX "exam_templates_level_idx" ON "exam_templates" USING btree ("level");--> statement-breakpoint
CREATE INDEX "sittings_tutor_session_started_idx" ON "sittings" USING btree ("tutor_session_id","started_at");--> statement-breakpoint
CREATE INDEX "sittings_user_started_idx" ON "sittings" USING btree ("user_id","started_at");--> statement-breakpoint
CREATE INDEX "sittings_lesson_idx" ON "sittings" USING btree ("lesson_id");--> statement-breakpoint
CREATE INDEX "sittings_exam_attempt_idx" ON "sittings" USING btree ("exam_attempt_id");--> statement-breakpoint
CREATE INDEX "turns_tutor_session_created_idx" ON "turns" USING btree ("tutor_session_id","created_at");--> statement-breakpoint
CREATE INDEX "turns_user_created_idx" ON "turns" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "turns_exam_attempt_idx" ON "turns" USING btree ("exam_attempt_id");--> statement-breakpoint
CREATE INDEX "turns_exam_part_idx" ON "turns" USING btree ("exam_part_id");--> statement-breakpoint
CREATE INDEX "tutor_sessions_current_lesson_idx" ON "tutor_sessions" USING btree ("current_lesson_id");--> statement-breakpoint
CREATE INDEX "tutor_sessions_current_exam_attempt_idx" ON "tutor_sessions" USING btree ("current_exam_attempt_id");--> statement-breakpoint
CREATE INDEX "lesson_progress_user_status_idx" ON "lesson_progress" USING btree ("user_id","status");--> statement-breakpoint
CREATE INDEX "lesson_progress_lesson_idx" ON "lesson_progress" USING btree ("lesson_id");--> statement-breakpoint
CREATE INDEX "program_assignments_program_due_idx" ON "program_assignments" USING btree ("program_id","due_at");--> statement-breakpoint
CREATE INDEX "program_assignments_lesson_idx" ON "program_assignments" USING btree ("lesson_id");--> statement-breakpoint
CREATE INDEX "program_assignments_assigned_by_idx" ON "program_assignments" USING btree ("assigned_by");--> statement-breakpoint
CREATE INDEX "program_memberships_user_idx" ON "program_memberships" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "programs_owner_idx" ON "programs" USING btree ("owner_id");--> statement-breakpoint
CREATE INDEX "payment_events_user_idx" ON "payment_events" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "payment_events_status_created_idx" ON "payment_events" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "subscriptions_user_idx" ON "subscriptions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "subscriptions_provider_customer_idx" ON "subscriptions" USING btree ("provider_customer_id");--> statement-breakpoint
CREATE INDEX "subscriptions_program_idx" ON "subscriptions" USING btree ("program_id");