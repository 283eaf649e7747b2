"""Admin for therapies and their safety facts; formulations are edited under their therapy."""

from django.contrib import admin

from config.admin import SimpleHistoryAdmin, TabularInline

from .models import (
    AdverseEffect,
    AdverseEffectReference,
    Contraindication,
    ContraindicationReference,
    Formulation,
    RegulatoryStatus,
    Therapy,
)


class FormulationInline(TabularInline):
    model = Formulation
    extra = 0
    fields = ["brand", "manufacturer", "stabiliser", "iga_content", "route", "notes"]


class RegulatoryStatusInline(TabularInline):
    model = RegulatoryStatus
    extra = 0
    autocomplete_fields = ["condition"]


@admin.register(Therapy)
class TherapyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "drug_class"]
    search_fields = ["name", "slug", "aliases", "drug_class"]
    list_filter = ["drug_class"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [FormulationInline, RegulatoryStatusInline]


@admin.register(Formulation)
class FormulationAdmin(SimpleHistoryAdmin):
    list_display = ["brand", "therapy", "manufacturer", "stabiliser", "route", "iga_content"]
    list_filter = ["stabiliser", "route", "therapy"]
    search_fields = ["brand", "manufacturer", "therapy__name"]
    list_select_related = ["therapy"]


class AdverseEffectReferenceInline(TabularInline):
    model = AdverseEffectReference
    extra = 0
    autocomplete_fields = ["reference"]


@admin.register(AdverseEffect)
class AdverseEffectAdmin(SimpleHistoryAdmin):
    list_display = ["name", "therapy", "frequency", "severity", "frequency_note"]
    list_filter = ["severity", "frequency", "therapy"]
    search_fields = ["name", "notes", "therapy__name"]
    list_select_related = ["therapy"]
    inlines = [AdverseEffectReferenceInline]


class ContraindicationReferenceInline(TabularInline):
    model = ContraindicationReference
    extra = 0
    autocomplete_fields = ["reference"]


@admin.register(Contraindication)
class ContraindicationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "therapy", "kind"]
    list_filter = ["kind", "therapy"]
    search_fields = ["name", "reason", "therapy__name"]
    list_select_related = ["therapy"]
    inlines = [ContraindicationReferenceInline]


@admin.register(RegulatoryStatus)
class RegulatoryStatusAdmin(SimpleHistoryAdmin):
    list_display = ["therapy", "condition", "agency", "status", "date"]
    list_filter = ["agency", "status", "therapy"]
    search_fields = ["therapy__name", "condition__name", "notes"]
    autocomplete_fields = ["therapy", "condition"]
    list_select_related = ["therapy", "condition"]
