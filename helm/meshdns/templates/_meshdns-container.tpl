{{/* The meshdns container, the same whether it runs as a container or as a native sidecar (an init
container with restartPolicy: Always, which the caller appends). */}}
{{- define "meshdns.container" -}}
{{- $sidecar := eq .Values.mode "coredns-sidecar" }}
{{- $zones := include "meshdns.zones" . | fromJsonArray -}}
- name: meshdns
  image: {{ include "meshdns.image" . | quote }}
  imagePullPolicy: {{ .Values.pullPolicy }}
  command: ["/usr/local/bin/meshdns"]
  args:
    {{- if $sidecar }}
    {{- /* CoreDNS in the same pod is the only gRPC client: loopback only. */}}
    - --dns-listen=off
    - --grpc-listen=127.0.0.1:8053
    {{- else }}
    - --dns-listen=:1053
    - --grpc-listen=:8053
    {{- end }}
    - --http-listen=:8090
    {{- range $zones }}
    - --zone={{ . }}
    {{- end }}
    {{- range .Values.namespaces }}
    - --namespace={{ . }}
    {{- end }}
    {{- if .Values.remoteSecrets.enabled }}
    - --remote-secrets={{ .Values.remoteSecrets.namespace }}
    {{- end }}
    {{- with .Values.defaultAddress }}
    - --default-address={{ . }}
    {{- end }}
    - --ttl={{ int64 .Values.ttl }}
    {{- if not (kindIs "invalid" .Values.negativeTtl) }}
    - --negative-ttl={{ int64 .Values.negativeTtl }}
    {{- end }}
    - --debug-names={{ .Values.debugNames }}
    - --log-level={{ .Values.logLevel }}
    - --log-format={{ .Values.logFormat }}
    - --lameduck={{ .Values.lameduck }}
    {{- range .Values.extraArgs }}
    - {{ . | quote }}
    {{- end }}
  ports:
    {{- if not $sidecar }}
    - name: dns
      containerPort: 1053
      protocol: UDP
    - name: dns-tcp
      containerPort: 1053
      protocol: TCP
    - name: grpc
      containerPort: 8053
      protocol: TCP
    {{- end }}
    - name: http
      containerPort: 8090
      protocol: TCP
  livenessProbe:
    httpGet:
      path: /healthz
      port: http
    {{- toYaml .Values.livenessProbe | nindent 4 }}
  readinessProbe:
    httpGet:
      path: /readyz
      port: http
    {{- toYaml .Values.readinessProbe | nindent 4 }}
  resources:
    {{- toYaml .Values.resources.meshdns | nindent 4 }}
  securityContext:
    {{- toYaml .Values.containerSecurityContext | nindent 4 }}
{{- end }}
