{{/*
Names. The base name is the Go chart's, "nfs-subdir-external-provisioner", not this chart's: object
names, the Deployment's selector and the default provisioner name then come out exactly as the Go
chart made them for the same release, so `helm upgrade` of a Go release updates its objects in place
(a Deployment's selector and a StorageClass's provisioner cannot change) instead of failing.
*/}}
{{- define "nfsp.name" -}}
{{- default "nfs-subdir-external-provisioner" .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* <release>-<name>, or just the release when it already contains the name (the Go chart's rule). */}}
{{- define "nfsp.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "nfsp.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The class's provisioner and PROVISIONER_NAME: storageClass.provisionerName, else cluster.local/<fullname>. */}}
{{- define "nfsp.provisionerName" -}}
{{- default (printf "cluster.local/%s" (include "nfsp.fullname" .)) .Values.storageClass.provisionerName -}}
{{- end -}}

{{- define "nfsp.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "nfsp.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "nfsp.metricsServiceName" -}}
{{- printf "%s-metrics" (include "nfsp.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "nfsp.exportsConfigMapName" -}}
{{- printf "%s-exports" (include "nfsp.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "nfsp.image" -}}
{{- $repository := required "image.repository is required" .Values.image.repository -}}
{{- if contains "sig-storage/nfs-subdir-external-provisioner" $repository -}}
{{- fail (printf "image.repository is the Go provisioner's image (%s); this chart runs nfs-provisioner-ts: remove image.repository and image.tag from your values (or point them at your copy of ours)" $repository) -}}
{{- end -}}
{{- $tag := default .Chart.AppVersion (toString (default "" .Values.image.tag)) -}}
{{- if regexMatch "^v[34]\\." $tag -}}
{{- fail (printf "image.tag %s is a tag of the Go provisioner; this chart runs nfs-provisioner-ts: remove image.tag from your values (default: the chart's appVersion)" $tag) -}}
{{- end -}}
{{- printf "%s:%s" $repository $tag -}}
{{- end -}}

{{/*
Selector labels: the Go chart's two, and nothing else, because a Deployment's selector is immutable.
*/}}
{{- define "nfsp.selectorLabels" -}}
app: {{ include "nfsp.name" . }}
release: {{ .Release.Name }}
{{- end -}}

{{/*
Labels of every object: .Values.labels, the manifests' app.kubernetes.io/name and part-of, Helm's,
and the selector labels (which nothing overrides: the pods must keep matching the selector).
Returns YAML; objects that take labels of their own merge them over it (nfsp.labelsWith).
*/}}
{{- define "nfsp.labels" -}}
{{- $labels := dict
  "app.kubernetes.io/name" "nfs-provisioner-ts"
  "app.kubernetes.io/part-of" "nfs-provisioner-ts"
  "app.kubernetes.io/instance" .Release.Name
  "app.kubernetes.io/version" (toString .Chart.AppVersion)
  "app.kubernetes.io/managed-by" .Release.Service
  "helm.sh/chart" (printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-") -}}
{{- toYaml (merge (include "nfsp.selectorLabels" . | fromYaml) $labels (deepCopy (default dict .Values.labels))) -}}
{{- end -}}

{{/*
nfsp.labels with more labels over it, for objects other tools select (a ServiceMonitor picked by
release: kube-prometheus-stack, say). Takes (list $ extraDict).
*/}}
{{- define "nfsp.labelsWith" -}}
{{- $root := index . 0 -}}
{{- toYaml (merge (deepCopy (default dict (index . 1))) (include "nfsp.labels" $root | fromYaml)) -}}
{{- end -}}

{{/* The pod: .Values.labels, the manifests' pod labels, and the selector labels over them. */}}
{{- define "nfsp.podLabels" -}}
{{- $labels := dict
  "app.kubernetes.io/name" "nfs-provisioner-ts"
  "app.kubernetes.io/component" "provisioner"
  "app.kubernetes.io/instance" .Release.Name -}}
{{- toYaml (merge (include "nfsp.selectorLabels" . | fromYaml) $labels (deepCopy (default dict .Values.labels))) -}}
{{- end -}}

{{/* The label matchers of the alerts: metrics.prometheusRule.selector, else the ServiceMonitor's job. */}}
{{- define "nfsp.ruleSelector" -}}
{{- default (printf "job=%q" (include "nfsp.metricsServiceName" .)) .Values.metrics.prometheusRule.selector -}}
{{- end -}}

{{/*
The extra exports, completed: mountPath defaulted, and a volume name each. Returns YAML
{exports: [...]} (include can only return text). Refuses what the provisioner would refuse at start
with a less helpful message, or what would clash inside the pod.
*/}}
{{- define "nfsp.extraExports" -}}
{{- $exports := list -}}
{{- $seen := dict "default" true -}}
{{- range $i, $e := .Values.extraExports -}}
{{- $name := required (printf "extraExports[%d].name is required" $i) $e.name | toString -}}
{{- if not (regexMatch "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$" $name) -}}
{{- fail (printf "extraExports[%d].name %q must be a DNS label (lower-case letters, digits and -, at most 63)" $i $name) -}}
{{- end -}}
{{- if hasKey $seen $name -}}
{{- fail (printf "extraExports[%d].name %q is used twice (\"default\" is the export of nfs.server / nfs.path)" $i $name) -}}
{{- end -}}
{{- $_ := set $seen $name true -}}
{{- $server := required (printf "extraExports[%d] (%s): server is required" $i $name) $e.server -}}
{{- $path := required (printf "extraExports[%d] (%s): path is required" $i $name) $e.path -}}
{{- $mountPath := default (printf "/persistentvolumes-%s" $name) $e.mountPath -}}
{{- $volumeName := printf "export-%s" $name | trunc 63 | trimSuffix "-" -}}
{{- $exports = append $exports (merge (dict "name" $name "server" $server "path" $path "mountPath" $mountPath "volumeName" $volumeName) (omit $e "name" "server" "path" "mountPath")) -}}
{{- end -}}
{{- toYaml (dict "exports" $exports) -}}
{{- end -}}

{{/* The NFS_EXPORTS_FILE content: only the fields the provisioner reads (it refuses unknown ones). */}}
{{- define "nfsp.exportsFile" -}}
{{- $list := list -}}
{{- range (include "nfsp.extraExports" . | fromYaml).exports -}}
{{- $list = append $list (pick . "name" "server" "path" "mountPath" "provisionerNames" "fsTimeout" "fsConcurrency") -}}
{{- end -}}
{{- toYaml (dict "exports" $list) -}}
{{- end -}}

{{/* An alert's labels: its severity, then metrics.prometheusRule.alertLabels. Takes (dict "root" $ "severity" s). */}}
{{- define "nfsp.alertLabels" -}}
{{- toYaml (merge (dict "severity" .severity) (default dict .root.Values.metrics.prometheusRule.alertLabels)) -}}
{{- end -}}
