// Command podstatus prints a Pod the way "kubectl get pod -o json" does,
// for a pod whose only container crashed twice, with its crash logs as the
// termination messages the kubelet makes under
// terminationMessagePolicy: FallbackToLogsOnError.
//
// The kubelet keeps the last 80 lines of the container's log, and of those
// the last 2048 bytes (kubecontainer.MaxContainerTerminationMessageLogLines
// and MaxContainerTerminationMessageLogLength), so the message is the end of
// the dump, possibly starting in the middle of a line. kubectl prints the
// object it got from the API server as unstructured JSON with
// json.MarshalIndent and four spaces: keys sorted, '<', '>' and '&' escaped.
//
// The pod's names, uids and addresses are made up (there is no cluster);
// the messages are the logs given with -log and -prev-log, run for real.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

const (
	maxLogLines = 80
	maxLogBytes = 2048
)

// terminationMessage is what the kubelet keeps of a log: the last 80 lines,
// then the last 2048 bytes of those.
func terminationMessage(log string) string {
	lines := strings.SplitAfter(log, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) > maxLogLines {
		lines = lines[len(lines)-maxLogLines:]
	}
	msg := strings.Join(lines, "")
	if len(msg) > maxLogBytes {
		msg = msg[len(msg)-maxLogBytes:]
	}
	return msg
}

func stamp(ns int64) string {
	return time.Unix(0, ns).UTC().Format(time.RFC3339)
}

type run struct {
	log        string
	start, end int64
}

func (r run) containerID() string {
	sum := sha256.Sum256([]byte(r.log))
	return "containerd://" + hex.EncodeToString(sum[:])
}

func (r run) terminated() map[string]any {
	return map[string]any{"terminated": map[string]any{
		"containerID": r.containerID(),
		"exitCode":    2,
		"finishedAt":  stamp(r.end),
		"message":     terminationMessage(r.log),
		"reason":      "Error",
		"startedAt":   stamp(r.start),
	}}
}

func readRun(path string, start, end int64) run {
	b, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "podstatus:", err)
		os.Exit(2)
	}
	return run{log: string(b), start: start, end: end}
}

func main() {
	prevLog := flag.String("prev-log", "", "log of the previous run")
	prevStart := flag.Int64("prev-start", 0, "its start, Unix ns")
	prevEnd := flag.Int64("prev-end", 0, "its end, Unix ns")
	curLog := flag.String("log", "", "log of the last run")
	curStart := flag.Int64("start", 0, "its start, Unix ns")
	curEnd := flag.Int64("end", 0, "its end, Unix ns")
	flag.Parse()
	prev := readRun(*prevLog, *prevStart, *prevEnd)
	cur := readRun(*curLog, *curStart, *curEnd)
	created := stamp(*prevStart - 2e9)
	image := "registry.example.com/shop/cartsvc:1.8.3"
	pod := map[string]any{
		"apiVersion": "v1",
		"kind":       "Pod",
		"metadata": map[string]any{
			"creationTimestamp": created,
			"generateName":      "cartsvc-7c9d8f6b5-",
			"labels":            map[string]any{"app": "cartsvc", "pod-template-hash": "7c9d8f6b5"},
			"name":              "cartsvc-7c9d8f6b5-x2x9k",
			"namespace":         "shop",
			"ownerReferences": []any{map[string]any{
				"apiVersion": "apps/v1", "blockOwnerDeletion": true, "controller": true,
				"kind": "ReplicaSet", "name": "cartsvc-7c9d8f6b5", "uid": "5d0c3b1e-8f4a-4c1e-9b7d-2a6f0e9c4d11",
			}},
			"resourceVersion": "48213",
			"uid":             "9f1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d",
		},
		"spec": map[string]any{
			"containers": []any{map[string]any{
				"env":                      []any{map[string]any{"name": "GOTRACEBACK", "value": "all"}},
				"image":                    image,
				"imagePullPolicy":          "IfNotPresent",
				"name":                     "cartsvc",
				"ports":                    []any{map[string]any{"containerPort": 8080, "name": "http", "protocol": "TCP"}},
				"resources":                map[string]any{},
				"terminationMessagePath":   "/dev/termination-log",
				"terminationMessagePolicy": "FallbackToLogsOnError",
			}},
			"dnsPolicy":                     "ClusterFirst",
			"enableServiceLinks":            true,
			"nodeName":                      "node-1",
			"preemptionPolicy":              "PreemptLowerPriority",
			"priority":                      0,
			"restartPolicy":                 "Always",
			"schedulerName":                 "default-scheduler",
			"securityContext":               map[string]any{},
			"serviceAccount":                "default",
			"serviceAccountName":            "default",
			"terminationGracePeriodSeconds": 30,
		},
		"status": map[string]any{
			"conditions": []any{
				map[string]any{"lastProbeTime": nil, "lastTransitionTime": created, "status": "True", "type": "Initialized"},
				map[string]any{"lastProbeTime": nil, "lastTransitionTime": stamp(*curEnd), "message": "containers with unready status: [cartsvc]",
					"reason": "ContainersNotReady", "status": "False", "type": "Ready"},
				map[string]any{"lastProbeTime": nil, "lastTransitionTime": stamp(*curEnd), "message": "containers with unready status: [cartsvc]",
					"reason": "ContainersNotReady", "status": "False", "type": "ContainersReady"},
				map[string]any{"lastProbeTime": nil, "lastTransitionTime": created, "status": "True", "type": "PodScheduled"},
			},
			"containerStatuses": []any{map[string]any{
				"containerID":  cur.containerID(),
				"image":        image,
				"imageID":      "registry.example.com/shop/cartsvc@sha256:3b5e1f0c9a8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f",
				"lastState":    prev.terminated(),
				"name":         "cartsvc",
				"ready":        false,
				"restartCount": 1,
				"started":      false,
				"state":        cur.terminated(),
			}},
			"hostIP":    "10.0.0.11",
			"phase":     "Running",
			"podIP":     "10.244.1.23",
			"podIPs":    []any{map[string]any{"ip": "10.244.1.23"}},
			"qosClass":  "BestEffort",
			"startTime": created,
		},
	}
	b, err := json.MarshalIndent(pod, "", "    ")
	if err != nil {
		fmt.Fprintln(os.Stderr, "podstatus:", err)
		os.Exit(2)
	}
	os.Stdout.Write(append(b, '\n'))
}
