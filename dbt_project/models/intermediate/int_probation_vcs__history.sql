{#- The history of every probation_vcs record across snapshots: see the snapshot_history macro. A build
    works out again only the records its later snapshots touch (delete+insert on vcs_case_id). -#}
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='vcs_case_id',
          on_schema_change='sync_all_columns', post_hook="{{ forget_withdrawn_deliveries() }}") }}
-- depends_on: {{ ref('stg_ops__file_registry') }}
{{ snapshot_history(ref('stg_probation_vcs'), ['vcs_case_id'], absent_records='deleted', feed='probation_vcs') }}
