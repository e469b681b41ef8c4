{#- Layers are schemas with fixed names (staging, intermediate, marts, reference): the published
    interface names marts.<table>, so the target name must not be prefixed to them. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name if custom_schema_name is not none else target.schema }}
{%- endmacro %}
