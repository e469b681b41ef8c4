{#- 95% Wilson score interval for a proportion numerator / denominator (metrics.md). -#}
{% macro wilson_bound(numerator, denominator, sign) -%}
    case when {{ denominator }} > 0 then (
        ({{ numerator }} / {{ denominator }}::double) + 1.959963984540054^2 / (2 * {{ denominator }})
        {{ sign }} 1.959963984540054 * sqrt(
            ({{ numerator }} / {{ denominator }}::double) * (1 - {{ numerator }} / {{ denominator }}::double) / {{ denominator }}
            + 1.959963984540054^2 / (4 * {{ denominator }}::double ^ 2))
    ) / (1 + 1.959963984540054^2 / {{ denominator }}) end
{%- endmacro %}
