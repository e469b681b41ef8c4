{#- The history of every rj_cases record across snapshots: see the snapshot_history macro. A build
    works out again only the records its later snapshots touch (delete+insert on rj_case_id). -#}
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='rj_case_id',
          on_schema_change='sync_all_columns', post_hook="{{ forget_withdrawn_deliveries() }}") }}
-- depends_on: {{ ref('stg_ops__file_registry') }}
{{ snapshot_history(ref('stg_rj_cases'), ['rj_case_id'], absent_records='deleted', feed='rj_cases') }}
