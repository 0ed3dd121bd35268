{{/* The names are fixed: `startorder webhook certs` and the docs use them, and the webhook
configurations are cluster-scoped, so one installation per cluster. */}}

{{- define "startorder.labels" -}}
app.kubernetes.io/name: startorder-webhook
app.kubernetes.io/part-of: startorder
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{- define "startorder.selectorLabels" -}}
app.kubernetes.io/name: startorder-webhook
{{- end }}

{{- define "startorder.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default (printf "v%s" .Chart.AppVersion) }}
{{- end -}}
{{- end }}

{{/* The selectors of both webhooks: never kube-system, never the release namespace, never a
namespace labelled startorder.dev/ignore=true; then the user's own requirements. */}}
{{- define "startorder.namespaceSelector" -}}
matchExpressions:
  - key: kubernetes.io/metadata.name
    operator: NotIn
    values: ["kube-system", {{ .Release.Namespace | quote }}]
  - key: startorder.dev/ignore
    operator: NotIn
    values: ["true"]
{{- with .Values.namespaceSelector.matchExpressions }}
{{ toYaml . | indent 2 }}
{{- end }}
{{- end }}
