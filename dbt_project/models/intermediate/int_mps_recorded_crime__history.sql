{#- The history of every mps_recorded_crime record across snapshots: see the snapshot_history macro. -#}
{{ snapshot_history(ref('stg_mps_recorded_crime'), ['month', 'borough_name', 'major_text', 'minor_text'], absent_records='kept') }}
