{{/* Chart name, overridable with nameOverride. */}}
{{- define "meshdns.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of the release's objects: fullnameOverride, else the release name (when it already holds
the chart name), else "<release>-<chart>". */}}
{{- define "meshdns.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "meshdns.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "meshdns.selectorLabels" -}}
app.kubernetes.io/name: {{ include "meshdns.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "meshdns.labels" -}}
helm.sh/chart: {{ include "meshdns.chart" . }}
{{ include "meshdns.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: dns
{{- end }}

{{- define "meshdns.serviceName" -}}
{{- default (include "meshdns.fullname" .) .Values.service.name }}
{{- end }}

{{- define "meshdns.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "meshdns.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Cluster-scoped objects carry the namespace, so releases of the same name in two namespaces do not clash. */}}
{{- define "meshdns.clusterRoleName" -}}
{{- printf "%s-%s" .Release.Namespace (include "meshdns.fullname" .) | trunc 253 | trimSuffix "-" }}
{{- end }}

{{/* The Role on the remote secrets lives in their namespace, which may not be the release's: the release's
namespace in the name keeps two releases apart there. */}}
{{- define "meshdns.remoteSecretsRoleName" -}}
{{- printf "%s-%s-remote-secrets" .Release.Namespace (include "meshdns.fullname" .) | trunc 253 | trimSuffix "-" }}
{{- end }}

{{/* coreDNSPluginImage (istiocoredns's name, "repository:tag") wins; else image.repository:image.tag, each
defaulting to meshdns and the chart's appVersion. */}}
{{- define "meshdns.image" -}}
{{- $image := printf "%s:%s" (default "meshdns" .Values.image.repository) (default .Chart.AppVersion .Values.image.tag) }}
{{- default $image .Values.coreDNSPluginImage }}
{{- end }}

{{/* The zones, then the reverse zones, without a trailing dot, as a list (the schema has made sure they are
lower-case names). */}}
{{- define "meshdns.zones" -}}
{{- $zones := list }}
{{- range concat (.Values.zones | default list) (.Values.reverseZones | default list) }}
{{- $zones = append $zones (trimSuffix "." .) }}
{{- end }}
{{- toJson $zones }}
{{- end }}

{{/* The cap of CoreDNS's cache plugin in seconds: cacheTtl, else ttl (never longer than MeshDns's own TTL
unless set so); 0 means no cache plugin. */}}
{{- define "meshdns.cacheTtl" -}}
{{- if kindIs "invalid" .Values.cacheTtl }}{{ int64 .Values.ttl }}{{ else }}{{ int64 .Values.cacheTtl }}{{ end }}
{{- end }}

{{/* .Values.lameduck in whole seconds, rounded up ("5s" → 5, "500ms" → 1, "1m" → 60). */}}
{{- define "meshdns.lameduckSeconds" -}}
{{- $d := toString .Values.lameduck }}
{{- $number := regexFind "^[0-9]+(\\.[0-9]+)?" $d }}
{{- $unit := trimPrefix $number $d }}
{{- $scale := dict "ms" 0.001 "s" 1.0 "m" 60.0 "h" 3600.0 }}
{{- if not (hasKey $scale $unit) }}
{{- fail (printf "lameduck %q: use a number and a unit of ms, s, m or h, such as 5s" $d) }}
{{- end }}
{{- mulf (float64 $number) (get $scale $unit) | ceil | int }}
{{- end }}

{{/* Fails the render on combinations the schema cannot express. */}}
{{- define "meshdns.validate" -}}
{{- $lameduck := include "meshdns.lameduckSeconds" . | int }}
{{- if gt $lameduck 600 }}
{{- fail (printf "lameduck %s: MeshDns accepts at most 10m" .Values.lameduck) }}
{{- end }}
{{- if le (int .Values.terminationGracePeriodSeconds) $lameduck }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must be more than lameduck (%s), or Kubernetes kills MeshDns while it drains" (int .Values.terminationGracePeriodSeconds) .Values.lameduck) }}
{{- end }}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) }}
{{- fail "autoscaling.minReplicas must not be more than autoscaling.maxReplicas" }}
{{- end }}
{{- if and .Values.nativeSidecar (ne .Values.mode "coredns-sidecar") }}
{{- fail "nativeSidecar needs mode coredns-sidecar: in standalone mode MeshDns is the pod's only container" }}
{{- end }}
{{- if and (empty .Values.zones) (not (empty .Values.reverseZones)) }}
{{- fail "reverseZones needs zones: MeshDns would refuse every other name (without zones it answers PTR for every served address already)" }}
{{- end }}
{{- if and (eq .Values.mode "coredns-sidecar") (empty .Values.zones) }}
{{- fail "zones must name at least one zone in coredns-sidecar mode: CoreDNS sends only those to MeshDns" }}
{{- end }}
{{- end }}
