package api

// The documents, with Statuspage's field names. Optional fields are
// pointers, so "not known" is written as null rather than left out:
// Statuspage's own responses carry every key.

type pageJSON struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	URL       string  `json:"url"`
	TimeZone  string  `json:"time_zone"`
	UpdatedAt *string `json:"updated_at"`
}

type statusJSON struct {
	Indicator   string `json:"indicator"`
	Description string `json:"description"`
}

type componentJSON struct {
	ID                 string   `json:"id"`
	Name               string   `json:"name"`
	Status             string   `json:"status"`
	CreatedAt          *string  `json:"created_at"`
	UpdatedAt          *string  `json:"updated_at"`
	Position           int      `json:"position"`
	Description        *string  `json:"description"`
	Showcase           bool     `json:"showcase"`
	StartDate          *string  `json:"start_date"`
	GroupID            *string  `json:"group_id"`
	PageID             string   `json:"page_id"`
	Group              bool     `json:"group"`
	OnlyShowIfDegraded bool     `json:"only_show_if_degraded"`
	Components         []string `json:"components,omitempty"` // a group's children

	key string // herald's id of a component, "" for a group
}

type affectedJSON struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	OldStatus string `json:"old_status"`
	NewStatus string `json:"new_status"`
}

type updateJSON struct {
	ID                 string         `json:"id"`
	Status             string         `json:"status"`
	Body               string         `json:"body"`
	IncidentID         string         `json:"incident_id"`
	CreatedAt          *string        `json:"created_at"`
	UpdatedAt          *string        `json:"updated_at"`
	DisplayAt          *string        `json:"display_at"`
	AffectedComponents []affectedJSON `json:"affected_components"`
}

type incidentJSON struct {
	ID              string          `json:"id"`
	Name            string          `json:"name"`
	Status          string          `json:"status"`
	Impact          string          `json:"impact"`
	CreatedAt       *string         `json:"created_at"`
	UpdatedAt       *string         `json:"updated_at"`
	StartedAt       *string         `json:"started_at"`
	MonitoringAt    *string         `json:"monitoring_at"`
	ResolvedAt      *string         `json:"resolved_at"`
	Shortlink       string          `json:"shortlink"`
	PageID          string          `json:"page_id"`
	Components      []componentJSON `json:"components"`
	IncidentUpdates []updateJSON    `json:"incident_updates"`
}

type maintenanceJSON struct {
	incidentJSON
	ScheduledFor   *string `json:"scheduled_for"`
	ScheduledUntil *string `json:"scheduled_until"`
}

type statusDoc struct {
	Page   pageJSON   `json:"page"`
	Status statusJSON `json:"status"`
}

type componentsDoc struct {
	Page       pageJSON        `json:"page"`
	Components []componentJSON `json:"components"`
}

type incidentsDoc struct {
	Page      pageJSON       `json:"page"`
	Incidents []incidentJSON `json:"incidents"`
}

type maintenancesDoc struct {
	Page         pageJSON          `json:"page"`
	Maintenances []maintenanceJSON `json:"scheduled_maintenances"`
}

type summaryDoc struct {
	Page         pageJSON          `json:"page"`
	Components   []componentJSON   `json:"components"`
	Incidents    []incidentJSON    `json:"incidents"`
	Maintenances []maintenanceJSON `json:"scheduled_maintenances"`
	Status       statusJSON        `json:"status"`
}
